package dev.slm.routing.redaction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces personal data with placeholders before a request leaves the machine. Detectors run in the
 * order given; what an earlier one found is not looked at again (custom patterns first, so that an
 * operator's pattern wins over a built-in one that matches part of it).
 *
 * <p>Immutable and shareable; {@link #start()} opens the per-request record of what was replaced.
 */
public final class Redactor {
    private static final Redactor NONE = new Redactor(List.of());

    private final List<PiiDetector> detectors;

    private Redactor(List<PiiDetector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    public static Redactor none() {
        return NONE;
    }

    public static Redactor of(List<PiiDetector> detectors) {
        return detectors.isEmpty() ? NONE : new Redactor(detectors);
    }

    public boolean isActive() {
        return !detectors.isEmpty();
    }

    public List<String> labels() {
        return detectors.stream().map(PiiDetector::label).toList();
    }

    /** A fresh record of replacements, for one request and its answer. */
    public Redactions start() {
        return new Redactions(this);
    }

    /** Where each detector finds something in {@code text}, first detector first, sorted by position. */
    List<Found> find(String text) {
        List<Found> claimed = new ArrayList<>();
        for (PiiDetector detector : detectors) {
            for (PiiDetector.Span span : detector.find(text)) {
                if (claimed.stream().noneMatch(f -> f.span().overlaps(span))) {
                    claimed.add(new Found(detector.label(), span));
                }
            }
        }
        claimed.sort(Comparator.comparingInt(f -> f.span().start()));
        return claimed;
    }

    record Found(String label, PiiDetector.Span span) {
    }
}
