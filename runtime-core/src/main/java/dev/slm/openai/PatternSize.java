package dev.slm.openai;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many grammar elements a schema {@code pattern} expands to in llama.cpp, which writes out
 * {@code x{n}} as n copies of x, and {@code (x{n}){m}} as n times m. Counted with a stack of open
 * groups; refused (400) as soon as one count or the running total passes its limit, so a hostile
 * pattern costs no more than reading it.
 */
final class PatternSize {
    private final String pattern;
    private final int maxRepeat;
    private final long maxTotal;
    private final String at;

    private PatternSize(String pattern, int maxRepeat, long maxTotal, String at) {
        this.pattern = pattern;
        this.maxRepeat = maxRepeat;
        this.maxTotal = maxTotal;
        this.at = at;
    }

    /** @throws dev.slm.server.api.InvalidRequestException 400 when a repeat or the whole is past its limit */
    static long of(String pattern, int maxRepeat, long maxTotal, String at) {
        return new PatternSize(pattern, maxRepeat, maxTotal, at).size();
    }

    private long size() {
        Deque<long[]> open = new ArrayDeque<>(); // per open group: {size before it, its last atom before it}
        long size = 0;
        long last = 0;
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            switch (c) {
                case '\\' -> {
                    i += 2;
                    size = add(size, 1);
                    last = 1;
                    continue;
                }
                case '[' -> {
                    i = classEnd(i);
                    size = add(size, 1);
                    last = 1;
                    continue;
                }
                case '(' -> {
                    open.push(new long[] {size, last});
                    size = 0;
                    last = 0;
                }
                case ')' -> {
                    long group = size;
                    long[] outer = open.isEmpty() ? new long[] {0, 0} : open.pop();
                    size = add(outer[0], group);
                    last = group;
                }
                case '|' -> last = 0;
                case '{' -> {
                    int close = pattern.indexOf('}', i);
                    String inside = close < 0 ? "" : pattern.substring(i + 1, close);
                    if (inside.matches("\\d+(,\\d*)?")) {
                        long count = count(inside);
                        size = add(size, multiply(last, count - 1));
                        last = multiply(last, count);
                        i = close + 1;
                        continue;
                    }
                    size = add(size, 1); // a literal brace
                    last = 1;
                }
                case '*', '+', '?', '^', '$' -> {
                    // no copies: llama.cpp turns these into one recursive or optional rule
                }
                default -> {
                    size = add(size, 1);
                    last = 1;
                }
            }
            i++;
        }
        return size;
    }

    /** The copies {@code {n}}, {@code {n,}} or {@code {n,m}} makes: its largest number. */
    private long count(String inside) {
        long most = 0;
        for (String part : inside.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.length() > 9 || Long.parseLong(part) > maxRepeat) {
                throw JsonSchemaCheck.tooBig(at, "pattern repeat {" + inside + "} is above " + maxRepeat
                        + ", the most this server lets a schema repeat");
            }
            most = Math.max(most, Long.parseLong(part));
        }
        return Math.max(most, 1);
    }

    private int classEnd(int start) {
        int i = start + 1;
        while (i < pattern.length() && pattern.charAt(i) != ']') {
            i += pattern.charAt(i) == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    private long add(long a, long b) {
        return check(a + b);
    }

    private long multiply(long a, long b) {
        return check(a * b); // both at most maxTotal (< 2^31): no overflow
    }

    private long check(long total) {
        if (total > maxTotal) {
            throw JsonSchemaCheck.tooBig(at, "the pattern expands to more than " + maxTotal + " grammar elements");
        }
        return total;
    }
}
