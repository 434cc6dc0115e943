package dev.slm.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether slm talks to a person at a terminal, rather than to a pipe or a file. */
final class Terminals {
    private Terminals() {
    }

    /**
     * True when stdin and stdout are a terminal. From Java 22 on, {@link System#console()} may exist
     * for redirected streams too; {@code Console.isTerminal()} (22+) then says, read by reflection
     * since slm compiles for 21.
     */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;  // Java 21: a console exists only for a terminal
        }
    }
}
