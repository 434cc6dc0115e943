package dev.slm.routing.redaction;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds one kind of personal data in text. Its {@link #label()} names the placeholders that replace
 * what it finds: {@code [EMAIL_1]}, {@code [IBAN_2]}...
 */
public interface PiiDetector {
    Pattern LABEL = Pattern.compile("[A-Z][A-Z0-9_]*");

    /** Upper-case name of what it finds: EMAIL, PHONE, CARD, IBAN or a custom label. */
    String label();

    /** Where it occurs in {@code text}: in order, not overlapping. */
    List<Span> find(String text);

    /** A found piece of text: {@code [start, end)}. */
    record Span(int start, int end) {
        boolean overlaps(Span other) {
            return start < other.end && other.start < end;
        }
    }

    /** E-mail addresses. */
    static PiiDetector email() {
        return new RegexDetector("EMAIL",
                Pattern.compile("(?<![\\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"),
                "", s -> true);
    }

    /**
     * Phone numbers: 7 to 15 digits written with a {@code +} country code, an area code in
     * parentheses, at least two separators, or 10 digits or more; dates and IPv4 addresses are not
     * phone numbers.
     */
    static PiiDetector phone() {
        return new RegexDetector("PHONE", Pattern.compile(
                "(?<![\\w+.])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,5}\\)[ .-]?)?\\d{1,5}(?:[ .-]?\\d{1,5}){1,6}(?![\\w])"),
                "", Checks::isPhoneNumber);
    }

    /** Payment card numbers: 13 to 19 digits (spaces or dashes between groups) that pass the Luhn check. */
    static PiiDetector card() {
        return new RegexDetector("CARD", Pattern.compile("(?<![\\w+])\\d(?:[ -]?\\d)+"), " -", Checks::isCardNumber);
    }

    /** IBANs, compact or in groups, whose mod-97 check digits are right. */
    static PiiDetector iban() {
        return new RegexDetector("IBAN", Pattern.compile("(?<![\\w])[A-Z]{2}\\d{2}(?: ?[A-Z0-9])+"), " ", Checks::isIban);
    }

    /** What {@code regex} matches, replaced by {@code [LABEL_n]}. */
    static PiiDetector custom(String label, Pattern regex) {
        String upper = label.toUpperCase(Locale.ROOT).replace('-', '_');
        if (!LABEL.matcher(upper).matches()) {
            throw new IllegalArgumentException("redaction label '" + label + "' must be letters, digits and '_'"
                    + " starting with a letter");
        }
        return new RegexDetector(upper, regex, "", s -> true);
    }

    /** A built-in detector by its configuration name: email, phone, card or iban. */
    static PiiDetector builtIn(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "email" -> email();
            case "phone" -> phone();
            case "card" -> card();
            case "iban" -> iban();
            default -> throw new IllegalArgumentException("unknown redaction '" + name
                    + "': use email, phone, card or iban (or a custom pattern)");
        };
    }
}
