package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.ChatSession;
import dev.slm.engine.Completion;
import dev.slm.engine.Generation;
import dev.slm.engine.Model;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.StopReason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with a model in the terminal.",
            "Commands: /reset forgets the conversation, /exit (or Ctrl-D) leaves, Ctrl-C stops the current answer."})
final class ChatCommand implements Callable<Integer> {
    private static final String HELP = "/reset  forget the conversation\n/exit   leave (Ctrl-D too)\n"
            + "Ctrl-C  stop the current answer";

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "A model name (pulled on first use; `slm list --available`) or the path of a .gguf file.")
    String model;

    @Mixin
    ModelSourceOptions source;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt that opens the conversation.")
    String systemPrompt;

    @Mixin
    ModelOptionsMixin modelOptions;

    @Mixin
    SamplingMixin sampling;

    private final AtomicReference<Generation> answering = new AtomicReference<>();

    @Override
    public Integer call() throws IOException {
        SamplingOptions samplingOptions = sampling.toOptions();
        boolean interactive = System.console() != null;
        PrintStream out = System.out;
        try (Model m = modelOptions.open(ModelReference.resolve(model, source))) {
            ChatSession session = m.newChat(systemPrompt);
            installCtrlC(interactive);
            if (interactive) {
                System.err.println("Chatting with " + m.info().name().orElse(model) + ". /help for commands, Ctrl-D to leave.");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                if (interactive) {
                    out.print(">>> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null) {
                    break;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("/")) {
                    if (!command(line, session)) {
                        break;
                    }
                    continue;
                }
                answer(session, line, samplingOptions, out);
            }
            if (interactive) {
                out.println();
            }
        }
        return ExitCodes.OK;
    }

    private void answer(ChatSession session, String line, SamplingOptions samplingOptions, PrintStream out) {
        try {
            Generation g = session.send(line, samplingOptions);
            answering.set(g);
            Completion c = g.forEachToken(piece -> {
                out.print(piece);
                out.flush();
            });
            out.println();
            out.flush();
            if (c.stopReason() == StopReason.CANCELLED) {
                System.err.println("(stopped; this turn is forgotten)");
            }
        } catch (SlmException e) {
            // A turn that fails (a prompt too long for the context...) ends the turn, not the session.
            System.err.println("slm: error: " + e.getMessage());
        } finally {
            answering.set(null);
        }
    }

    /** Returns false when the chat should end. */
    private static boolean command(String line, ChatSession session) {
        switch (line.split("\\s+")[0]) {
            case "/exit", "/bye", "/quit" -> {
                return false;
            }
            case "/reset", "/clear" -> {
                session.reset();
                System.err.println("(conversation forgotten)");
            }
            case "/help", "/?" -> System.err.println(HELP);
            default -> System.err.println("unknown command " + line + "; /help lists them");
        }
        return true;
    }

    /** Ctrl-C stops the answer being written; at the prompt it only reminds how to leave. */
    private void installCtrlC(boolean interactive) {
        try {
            Signal.handle(new Signal("INT"), signal -> {
                Generation g = answering.get();
                if (g != null) {
                    g.cancel();
                } else if (interactive) {
                    System.err.print("\n(use /exit or Ctrl-D to leave)\n>>> ");
                    System.err.flush();
                } else {
                    System.exit(ExitCodes.INTERRUPTED);
                }
            });
        } catch (IllegalArgumentException e) {
            // No SIGINT on this platform: Ctrl-C keeps its default meaning.
        }
    }
}
