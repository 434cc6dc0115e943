package dev.slm.routing.redaction;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What was replaced in one request, so that the answer can be given the originals back: the same
 * value always gets the same placeholder ({@code [EMAIL_1]}, {@code [EMAIL_2]}...), and a
 * placeholder the answer repeats is restored. Thread-safe.
 */
public final class Redactions {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\[[A-Z][A-Z0-9_]*_\\d+]");

    private final Redactor redactor;
    private final Map<String, String> originals = new LinkedHashMap<>();
    private final Map<String, String> placeholderOf = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();

    Redactions(Redactor redactor) {
        this.redactor = redactor;
    }

    /** {@code text} with everything the detectors find replaced by placeholders. */
    public synchronized String redact(String text) {
        if (!redactor.isActive() || text.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Redactor.Found found : redactor.find(text)) {
            out.append(text, at, found.span().start());
            out.append(placeholderFor(found.label(), text.substring(found.span().start(), found.span().end())));
            at = found.span().end();
        }
        return out.append(text, at, text.length()).toString();
    }

    private String placeholderFor(String label, String value) {
        return placeholderOf.computeIfAbsent(label + '\u0000' + value, key -> {
            int n = counters.merge(label, 1, Integer::sum);
            String placeholder = "[" + label + "_" + n + "]";
            originals.put(placeholder, value);
            return placeholder;
        });
    }

    /** {@code text} with every placeholder of this request put back to what it replaced. */
    public synchronized String restore(String text) {
        if (originals.isEmpty() || text.indexOf('[') < 0) {
            return text;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String original = originals.get(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(original != null ? original : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether {@code text} (starting with '[') could still become one of this request's placeholders. */
    synchronized boolean isPlaceholderStart(CharSequence text) {
        String s = text.toString();
        return originals.keySet().stream().anyMatch(p -> p.length() > s.length() && p.startsWith(s));
    }

    /** Restores placeholders in a text that arrives in pieces (one per choice of a stream). */
    public StreamRestorer streamRestorer() {
        return new StreamRestorer(this);
    }

    /** How many distinct values were replaced. */
    public synchronized int count() {
        return originals.size();
    }

    /** Placeholder to original, in the order they were made. */
    public synchronized Map<String, String> placeholders() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(originals));
    }
}
