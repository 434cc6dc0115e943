package dev.slm.routing.redaction;

import java.math.BigInteger;
import java.util.regex.Pattern;

/** The checks that tell personal numbers from other numbers. */
final class Checks {
    private static final Pattern IBAN = Pattern.compile("[A-Z]{2}\\d{2}[A-Z0-9]{11,30}");
    private static final Pattern DATE = Pattern.compile("\\d{4}[-./]\\d{1,2}[-./]\\d{1,2}|\\d{1,2}[-./]\\d{1,2}[-./]\\d{2,4}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);

    private Checks() {
    }

    static boolean isCardNumber(String text) {
        String digits = text.replaceAll("[ -]", "");
        return digits.length() >= 13 && digits.length() <= 19 && digits.chars().allMatch(Character::isDigit)
                && luhn(digits);
    }

    /** The Luhn checksum payment card numbers end with. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean dbl = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    /** ISO 13616: move the first four characters to the end, letters to 10..35, the number mod 97 is 1. */
    static boolean isIban(String text) {
        String compact = text.replace(" ", "");
        if (compact.length() < 15 || compact.length() > 34 || !IBAN.matcher(compact).matches()) {
            return false;
        }
        String rearranged = compact.substring(4) + compact.substring(0, 4);
        StringBuilder digits = new StringBuilder();
        for (char c : rearranged.toCharArray()) {
            digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(digits.toString()).mod(NINETY_SEVEN).intValue() == 1;
    }

    static boolean isPhoneNumber(String text) {
        long digits = text.chars().filter(Character::isDigit).count();
        if (digits < 7 || digits > 15 || DATE.matcher(text).matches() || IPV4.matcher(text).matches()) {
            return false;
        }
        boolean marked = text.startsWith("+") || text.contains("(");
        long separators = text.chars().filter(c -> c == ' ' || c == '-' || c == '.').count();
        return marked || separators >= 2 || digits >= 10;
    }
}
