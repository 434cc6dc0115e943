package dev.slm.engine;

import dev.slm.SlmException;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks a GBNF grammar before it reaches llama.cpp. The b4916 build logs a parse error and then
 * generates without any constraint, which would hand the caller unconstrained text as if it
 * matched. The syntax accepted is llama.cpp's (grammar-parser): rules {@code name ::= alternatives},
 * literals, character classes, groups, {@code * + ?} and {@code {m,n}} repetitions, {@code #} comments.
 */
final class GbnfGrammar {
    private final String src;
    private int pos;
    private final Set<String> defined = new HashSet<>();
    private final Set<String> referenced = new HashSet<>();

    /** llama.cpp's MAX_REPETITION_THRESHOLD (src/llama-grammar.cpp). */
    static final int MAX_REPETITIONS = 2000;

    private GbnfGrammar(String src) {
        this.src = src;
    }

    /** @throws SlmException naming the first problem and where it is. */
    static void validate(String grammar) {
        new GbnfGrammar(grammar).parse();
    }

    private void parse() {
        space(true);
        if (pos >= src.length()) {
            throw error("the grammar is empty");
        }
        while (pos < src.length()) {
            rule();
            space(true);
        }
        for (String name : referenced) {
            if (!defined.contains(name)) {
                throw new SlmException("invalid grammar: rule '" + name + "' is used but never defined");
            }
        }
        if (!defined.contains("root")) {
            throw new SlmException("invalid grammar: it has no 'root' rule (the rule generation starts from)");
        }
    }

    private void rule() {
        String name = name();
        space(false);
        if (!src.startsWith("::=", pos)) {
            throw error("expecting '::=' after rule name '" + name + "'");
        }
        pos += 3;
        space(true);
        alternatives(false);
        defined.add(name);
        space(false);
        if (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
            throw error("expecting the end of the line after rule '" + name + "'");
        }
    }

    private void alternatives(boolean nested) {
        sequence(nested);
        while (pos < src.length() && src.charAt(pos) == '|') {
            pos++;
            space(true);
            sequence(nested);
        }
    }

    private void sequence(boolean nested) {
        boolean hasItem = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                until('"', "a string literal");
            } else if (c == '[') {
                pos++;
                if (pos < src.length() && src.charAt(pos) == '^') {
                    pos++;
                }
                until(']', "a character class");
            } else if (isWordChar(c)) {
                referenced.add(name());
            } else if (c == '(') {
                pos++;
                space(true);
                alternatives(true);
                if (pos >= src.length() || src.charAt(pos) != ')') {
                    throw error("expecting ')'");
                }
                pos++;
            } else if (c == '.') {
                pos++;
            } else if (c == '*' || c == '+' || c == '?') {
                if (!hasItem) {
                    throw error("'" + c + "' must follow an item");
                }
                pos++;
            } else if (c == '{') {
                if (!hasItem) {
                    throw error("'{' must follow an item");
                }
                repetition();
            } else {
                break;
            }
            hasItem = true;
            space(nested);
        }
    }

    private void repetition() {
        int close = src.indexOf('}', pos);
        if (close < 0 || !src.substring(pos + 1, close).strip().matches("\\d+\\s*(,\\s*\\d*)?")) {
            throw error("expecting a repetition like {2}, {2,} or {2,5}");
        }
        for (String bound : src.substring(pos + 1, close).split(",")) {
            // llama.cpp refuses more (MAX_REPETITION_THRESHOLD): each repetition becomes grammar rules.
            if (!bound.isBlank() && (bound.strip().length() > 9 || Long.parseLong(bound.strip()) > MAX_REPETITIONS)) {
                throw error("a repetition may count up to " + MAX_REPETITIONS + ", not " + bound.strip());
            }
        }
        pos = close + 1;
    }

    /** Skips an escaped literal or class body up to its closing character. */
    private void until(char close, String what) {
        while (pos < src.length() && src.charAt(pos) != close) {
            pos += src.charAt(pos) == '\\' ? 2 : 1;
        }
        if (pos >= src.length()) {
            throw error("unterminated " + what);
        }
        pos++;
    }

    private String name() {
        int start = pos;
        while (pos < src.length() && isWordChar(src.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expecting a rule name");
        }
        return src.substring(start, pos);
    }

    private void space(boolean newlineOk) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || (newlineOk && (c == '\n' || c == '\r'))) {
                pos++;
            } else if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private SlmException error(String what) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(pos, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new SlmException("invalid grammar: " + what + " at line " + line + ", column " + column);
    }
}
