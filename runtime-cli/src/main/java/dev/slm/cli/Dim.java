package dev.slm.cli;

/** Notes that are not the model's words: dim on a terminal, plain text elsewhere. */
final class Dim {
    private Dim() {
    }

    static String text(String s, boolean ansi) {
        return ansi ? "\033[2m" + s + "\033[0m" : s;
    }
}
