package dev.slm.routing.redaction;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds candidates with a regular expression and keeps those a check accepts. For numbers written in
 * groups ({@code separators} non-empty) the check also tries the candidate's shorter runs of whole
 * groups, longest first: "card 4111 1111 1111 1111 12" still yields the card, and an IBAN followed
 * by an upper-case word still yields the IBAN.
 */
final class RegexDetector implements PiiDetector {
    private final String label;
    private final Pattern candidate;
    private final String separators;
    private final Predicate<String> accept;

    RegexDetector(String label, Pattern candidate, String separators, Predicate<String> accept) {
        this.label = label;
        this.candidate = candidate;
        this.separators = separators;
        this.accept = accept;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public List<Span> find(String text) {
        List<Span> spans = new ArrayList<>();
        Matcher m = candidate.matcher(text);
        int from = 0;
        while (from <= text.length() && m.find(from)) {
            if (m.end() == m.start()) {
                from = m.end() + 1;
                continue;
            }
            Span found = separators.isEmpty() ? whole(text, m) : bestRun(text, m.start(), m.end());
            if (found != null) {
                spans.add(found);
                from = found.end();
            } else {
                from = m.end();
            }
        }
        return spans;
    }

    private Span whole(String text, Matcher m) {
        return accept.test(m.group()) ? new Span(m.start(), m.end()) : null;
    }

    /** The longest run of whole groups in {@code [start, end)} that passes the check, earliest first. */
    private Span bestRun(String text, int start, int end) {
        List<Integer> starts = new ArrayList<>(List.of(start));
        List<Integer> ends = new ArrayList<>();
        for (int i = start; i < end; i++) {
            if (separators.indexOf(text.charAt(i)) >= 0) {
                ends.add(i);
                starts.add(i + 1);
            }
        }
        ends.add(end);
        Span best = null;
        for (int s : starts) {
            for (int e = ends.size() - 1; e >= 0; e--) {
                int stop = ends.get(e);
                if (stop <= s || (best != null && stop - s <= best.end() - best.start())) {
                    continue;
                }
                boolean wordEnds = stop == text.length() || !Character.isLetterOrDigit(text.charAt(stop));
                if (wordEnds && accept.test(text.substring(s, stop))) {
                    best = new Span(s, stop);
                }
            }
        }
        return best;
    }
}
