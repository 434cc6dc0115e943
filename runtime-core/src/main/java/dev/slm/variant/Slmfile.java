package dev.slm.variant;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A model variant as written: Ollama's Modelfile syntax ({@code FROM}, {@code SYSTEM}, {@code PARAMETER},
 * {@code TEMPLATE}, {@code ADAPTER}, {@code LICENSE}; {@code #} comments; values bare to the end of the
 * line, in {@code "quotes"} or in {@code """triple quotes"""} over several lines), read as is.
 * slm's one addition: {@code ADAPTER PATH SCALE}, a scale after the adapter's path.
 *
 * @param template a Jinja chat template, as the GGUF's {@code tokenizer.chat_template} holds one
 */
public record Slmfile(String from, Optional<String> system, Optional<String> template, Optional<String> license,
                      List<Parameter> parameters, List<Adapter> adapters) {

    /** One {@code PARAMETER NAME VALUE} line, in Ollama's parameter names. */
    public record Parameter(String name, String value) {
    }

    /** One {@code ADAPTER PATH [SCALE]} line; the path as written (relative to the Slmfile's folder). */
    public record Adapter(String path, float scale) {
    }

    /** @throws IllegalArgumentException with the line number and what is wrong */
    public static Slmfile parse(String text) {
        String from = null;
        String system = null;
        String template = null;
        String license = null;
        List<Parameter> parameters = new ArrayList<>();
        List<Adapter> adapters = new ArrayList<>();
        Reader r = new Reader(text);
        while (r.skipBlankAndComments()) {
            int line = r.line;
            String word = r.word();
            String command = word.toUpperCase(Locale.ROOT);
            r.skipSpaces();
            switch (command) {
                case "FROM" -> from = r.value(line, command);
                case "SYSTEM" -> system = r.value(line, command);
                case "TEMPLATE" -> template = r.value(line, command);
                case "LICENSE" -> license = license == null ? r.value(line, command) : license + "\n" + r.value(line, command);
                case "PARAMETER" -> {
                    String name = r.word();
                    r.skipSpaces();
                    if (name.isEmpty()) {
                        throw new IllegalArgumentException("line " + line + ": PARAMETER needs a name and a value");
                    }
                    parameters.add(new Parameter(name.toLowerCase(Locale.ROOT), r.value(line, "PARAMETER " + name)));
                }
                case "ADAPTER" -> adapters.add(adapter(line, r.value(line, command)));
                case "MESSAGE", "REQUIRES" -> throw new IllegalArgumentException("line " + line + ": " + command
                        + " is not supported by slm (FROM, SYSTEM, PARAMETER, TEMPLATE, ADAPTER and LICENSE are)");
                default -> throw new IllegalArgumentException("line " + line + ": unknown instruction " + word
                        + " (FROM, SYSTEM, PARAMETER, TEMPLATE, ADAPTER, LICENSE)");
            }
        }
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("no FROM line: name the model the variant is made from (FROM qwen3-0.6b, or FROM ./model.gguf)");
        }
        return new Slmfile(from, Optional.ofNullable(system), Optional.ofNullable(template), Optional.ofNullable(license),
                List.copyOf(parameters), List.copyOf(adapters));
    }

    /** "PATH" or "PATH SCALE": a last word that is a number is the scale (slm's addition to Ollama's ADAPTER). */
    private static Adapter adapter(int line, String value) {
        int space = value.lastIndexOf(' ');
        if (space > 0) {
            try {
                float scale = Float.parseFloat(value.substring(space + 1));
                if (!Float.isFinite(scale)) {
                    throw new IllegalArgumentException("line " + line + ": the adapter's scale must be a finite number");
                }
                return new Adapter(value.substring(0, space).strip(), scale);
            } catch (NumberFormatException notAScale) {
                // a path with spaces
            }
        }
        return new Adapter(value, 1f);
    }

    /** Writes it back in the syntax it was read from (`slm show NAME --modelfile`). */
    public String text() {
        StringBuilder out = new StringBuilder("FROM ").append(from).append('\n');
        adapters.forEach(a -> out.append("ADAPTER ").append(a.path()).append(a.scale() == 1f ? "" : " " + a.scale()).append('\n'));
        template.ifPresent(t -> out.append("TEMPLATE ").append(quote(t)).append('\n'));
        system.ifPresent(s -> out.append("SYSTEM ").append(quote(s)).append('\n'));
        parameters.forEach(p -> out.append("PARAMETER ").append(p.name()).append(' ').append(quote(p.value())).append('\n'));
        license.ifPresent(l -> out.append("LICENSE ").append(quote(l)).append('\n'));
        return out.toString();
    }

    private static String quote(String value) {
        if (value.contains("\n") || value.contains("\"")) {
            return "\"\"\"" + value + "\"\"\"";
        }
        return value.isEmpty() || value.startsWith(" ") || value.endsWith(" ") || value.startsWith("#") ? "\"" + value + "\"" : value;
    }

    private static final class Reader {
        private final String s;
        private int at;
        private int line = 1;

        Reader(String s) {
            this.s = s.replace("\r\n", "\n");
        }

        /** Moves to the next instruction; false at the end. */
        boolean skipBlankAndComments() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == '\n') {
                    line++;
                    at++;
                } else if (Character.isWhitespace(c)) {
                    at++;
                } else if (c == '#') {
                    while (at < s.length() && s.charAt(at) != '\n') {
                        at++;
                    }
                } else {
                    return true;
                }
            }
            return false;
        }

        String word() {
            int start = at;
            while (at < s.length() && !Character.isWhitespace(s.charAt(at))) {
                at++;
            }
            return s.substring(start, at);
        }

        void skipSpaces() {
            while (at < s.length() && s.charAt(at) != '\n' && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        /** The value: """...""" (several lines), "..." (with \" and \\ escapes) or the rest of the line. */
        String value(int startLine, String what) {
            String v;
            if (s.startsWith("\"\"\"", at)) {
                int end = s.indexOf("\"\"\"", at + 3);
                if (end < 0) {
                    throw new IllegalArgumentException("line " + startLine + ": " + what + " opens \"\"\" and never closes it");
                }
                v = s.substring(at + 3, end);
                line += (int) v.chars().filter(ch -> ch == '\n').count();
                at = end + 3;
            } else if (at < s.length() && s.charAt(at) == '"') {
                StringBuilder b = new StringBuilder();
                at++;
                while (true) {
                    if (at >= s.length() || s.charAt(at) == '\n') {
                        throw new IllegalArgumentException("line " + startLine + ": " + what + " opens a \" and never closes it");
                    }
                    char c = s.charAt(at++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\' && at < s.length() && (s.charAt(at) == '"' || s.charAt(at) == '\\')) {
                        c = s.charAt(at++);
                    }
                    b.append(c);
                }
                v = b.toString();
            } else {
                int end = s.indexOf('\n', at);
                end = end < 0 ? s.length() : end;
                v = s.substring(at, end).strip();
                at = end;
            }
            skipSpaces();
            if (at < s.length() && s.charAt(at) != '\n') {
                throw new IllegalArgumentException("line " + line + ": unexpected text after the value of " + what);
            }
            if (v.isEmpty() && !what.equals("SYSTEM")) {
                throw new IllegalArgumentException("line " + startLine + ": " + what + " needs a value");
            }
            return v;
        }
    }
}
