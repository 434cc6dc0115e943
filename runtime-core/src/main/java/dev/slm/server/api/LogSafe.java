package dev.slm.server.api;

/**
 * Client-supplied text (paths, model names) made safe for a log line: a CR or LF would let a
 * client forge whole lines in the journal, a NUL cuts some readers short. Control characters and
 * backslashes are written as escapes, and very long values are cut.
 */
final class LogSafe {
    private static final int MAX = 512;

    private LogSafe() {
    }

    static String of(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX) + 8);
        for (int i = 0; i < text.length(); i++) {
            if (b.length() >= MAX) {
                return b.append("...").toString();
            }
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
