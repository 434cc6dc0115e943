package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.ChatImage;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.ChatSession;
import dev.slm.engine.Completion;
import dev.slm.engine.ContextOverflowException;
import dev.slm.engine.Generation;
import dev.slm.engine.Model;
import dev.slm.engine.SamplingOptions;
import dev.slm.engine.StopReason;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A conversation in the terminal (or over a pipe): reads turns, streams the answers, and carries out
 * the slash commands. Ctrl-C stops the answer being written; Ctrl-D or /exit leaves.
 */
final class ChatLoop {
    private static final String MULTILINE = "\"\"\"";
    private static final String HELP = String.join("\n",
            "/set parameter NAME VALUE  change sampling: " + String.join(", ", ChatParameters.NAMES),
            "/set system TEXT           change the system prompt",
            "/image FILE                attach an image (PNG, JPEG, GIF, BMP) to your next message (vision models)",
            "/save NAME                 save the model, parameters and system prompt as a variant (`slm run NAME`)",
            "/load NAME                 switch to a variant or another model (the conversation starts over)",
            "/show [parameters|system|info]  show them (all three without a word)",
            "/clear                     forget the conversation and clear the screen",
            "/reset                     forget the conversation, the /set changes too",
            "/exit                      leave (Ctrl-D too)",
            "\"\"\"                        start and end a message of several lines",
            "Ctrl-C                     stop the answer being written");

    /** The model the caller opened (and closes); /load may put another in its place, closed here. */
    private final Model opened;
    private Model model;
    private ChatSession session;
    private ChatVariants variants;
    private final LineSource in;
    private final ChatOptions options;
    private SamplingOptions initialSampling;
    /** The system prompt /reset goes back to: the command line's, or the loaded variant's. */
    private String loadedSystem;
    private final Duration load;
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final AtomicReference<Generation> answering = new AtomicReference<>();
    /** Between a line sent and its generation starting (template, tokens, context shift): Ctrl-C waits here. */
    private final java.util.concurrent.atomic.AtomicBoolean preparing = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean interruptPending = new java.util.concurrent.atomic.AtomicBoolean();
    private SamplingOptions sampling;
    private boolean stdoutClosed;
    /** Images for the next message (/image, --image). */
    private final List<ChatImage> attached = new ArrayList<>();

    ChatLoop(Model model, ChatOptions options, SamplingOptions sampling, Duration load, LineSource in) {
        this.opened = model;
        this.loadedSystem = options.systemPrompt;
        this.model = model;
        this.options = options;
        this.initialSampling = sampling;
        this.sampling = sampling;
        this.load = load;
        this.in = in;
        this.session = newSession(model, options.systemPrompt);
        in.onInterrupt(this::interrupt);
    }

    private ChatSession newSession(Model m, String system) {
        return m.newChat(system).withContextShift(!options.noContextShift)
                .onContextShift(shift -> note("(the conversation outgrew the context of " + shift.contextSize()
                        + " tokens: dropped the oldest " + (shift.droppedTurns() == 1 ? "turn" : shift.droppedTurns() + " turns") + ")"));
    }

    /** Enables /save and /load. */
    ChatLoop withVariants(ChatVariants v) {
        this.variants = v;
        return this;
    }

    /** Attaches images to the next message. */
    ChatLoop attach(List<ChatImage> images) {
        attached.addAll(images);
        return this;
    }

    private void interrupt() {
        Generation g = answering.get();
        if (g != null) {
            g.cancel();
        } else if (preparing.get()) {
            interruptPending.set(true);
        } else if (!in.interactive()) {
            System.exit(ExitCodes.INTERRUPTED);
        }
    }

    /** Reads and answers turns until the input ends, /exit, or nobody reads stdout any more. */
    void run() {
        if (in.interactive()) {
            note("Chatting with " + model.info().name().orElse(model.info().path().getFileName().toString())
                    + ". /help for commands, Ctrl-D to leave.");
        }
        for (String text; !stdoutClosed && (text = next()) != null; ) {
            if (text.isBlank()) {
                continue;
            }
            if (text.strip().startsWith("/")) {
                if (!command(text.strip())) {
                    break;
                }
                continue;
            }
            try {
                answer(text);
            } catch (SlmException e) {
                // A turn that fails ends the turn, not the conversation.
                err.println("slm: error: " + e.getMessage());
            }
        }
    }

    /** A message; one that opens with """ goes on, line after line, until one ends with """. */
    private String next() {
        String line = in.readLine(">>> ");
        if (line == null || !line.strip().startsWith(MULTILINE)) {
            return line;
        }
        StringBuilder text = new StringBuilder(line.strip().substring(MULTILINE.length()));
        while (!text.toString().endsWith(MULTILINE)) {
            String more = in.readLine("... ");
            if (more == null) {
                return text.toString();
            }
            text.append('\n').append(more.stripTrailing());
        }
        return text.substring(0, text.length() - MULTILINE.length());
    }

    /**
     * Answers one message, streaming to stdout.
     *
     * @throws SlmException when the turn cannot be answered
     */
    void answer(String text) {
        AnswerPrinter printer = new AnswerPrinter(out, in.width());
        interruptPending.set(false);
        preparing.set(true);
        try {
            // A turn takes the attached images whether or not it succeeds: a bad image is not sent twice.
            List<ChatImage> images = List.copyOf(attached);
            attached.clear();
            Generation g = session.send(ChatMessage.user(text, images), sampling);
            answering.set(g);
            preparing.set(false);
            if (interruptPending.getAndSet(false)) {
                g.cancel();  // Ctrl-C came before the first token
            }
            Completion c = g.forEachToken(piece -> {
                if (!printer.print(piece)) {
                    g.cancel();
                }
            });
            printer.end();
            stdoutClosed = printer.closed();
            if (stdoutClosed) {
                return;
            }
            if (c.stopReason() == StopReason.CANCELLED) {
                note("(stopped; this turn is forgotten)");
            }
            if (options.stats) {
                note(AnswerStats.of(c, load).line());
            }
        } catch (ContextOverflowException e) {
            throw new SlmException("the conversation (" + e.promptTokens() + " tokens) no longer fits the context of "
                    + e.contextSize() + " tokens and --no-context-shift keeps every turn: /reset to start over, or raise --ctx");
        } finally {
            preparing.set(false);
            answering.set(null);
        }
    }

    /** Returns false when the chat should end. */
    private boolean command(String line) {
        String[] words = line.split("\\s+", 3);
        switch (words[0]) {
            case "/exit", "/bye", "/quit" -> {
                return false;
            }
            case "/help", "/?" -> err.println(HELP);
            case "/clear" -> {
                session.reset();
                attached.clear();
                in.clearScreen();
                note("(conversation forgotten)");
            }
            case "/reset" -> {
                sampling = initialSampling;
                session.setSystemPrompt(loadedSystem);
                session.reset();
                attached.clear();
                note("(conversation forgotten) parameters and system prompt are the command line's again");
            }
            case "/set" -> set(words);
            case "/image" -> image(line.substring(words[0].length()).strip());
            case "/show" -> show(words.length > 1 ? words[1] : "");
            case "/save" -> save(words.length == 2 ? words[1] : "");
            case "/load" -> load(words.length == 2 ? words[1] : "");
            default -> err.println("unknown command " + words[0] + "; /help lists them");
        }
        return true;
    }

    private void set(String[] words) {
        if (words.length >= 2 && words[1].equals("system")) {
            session.setSystemPrompt(words.length > 2 ? words[2] : null);
            note("(system prompt " + (words.length > 2 ? "set" : "removed") + ")");
            return;
        }
        if (words.length == 3 && words[1].equals("parameter")) {
            String[] nameValue = words[2].split("\\s+", 2);
            try {
                sampling = ChatParameters.set(sampling, nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
                note("(" + nameValue[0] + " = " + nameValue[1].strip() + ")");
            } catch (IllegalArgumentException e) {
                err.println("slm: error: " + e.getMessage());
            }
            return;
        }
        err.println("slm: error: use /set parameter NAME VALUE or /set system TEXT");
    }

    private void save(String name) {
        if (variants == null || name.isEmpty()) {
            err.println("slm: error: " + (variants == null ? "/save is not available here" : "use /save NAME"));
            return;
        }
        try {
            String saved = variants.save(name, session.systemPrompt(), sampling).name();
            note("(saved as " + saved + ": `slm run " + saved + "`, /load " + saved + ")");
        } catch (SlmException | IllegalArgumentException e) {
            err.println("slm: error: " + e.getMessage());
        }
    }

    /** Another model (a variant, usually) in place of this one; the conversation starts over. */
    private void load(String name) {
        if (variants == null || name.isEmpty()) {
            err.println("slm: error: " + (variants == null ? "/load is not available here" : "use /load NAME"));
            return;
        }
        note("(loading " + name + ")");
        ChatVariants.Loaded loaded;
        try {
            loaded = variants.load(name);
        } catch (SlmException | IllegalArgumentException e) {
            err.println("slm: error: " + e.getMessage());
            return;
        }
        if (model != opened) {
            model.close();
        }
        model = loaded.model();
        sampling = loaded.sampling();
        initialSampling = loaded.sampling();
        loadedSystem = loaded.system() != null ? loaded.system() : options.systemPrompt;
        session = newSession(model, loadedSystem);
        attached.clear();
        note("(loaded " + name + "; conversation started over)");
    }

    /** Closes a model that /load opened (the first one is the caller's). */
    void closeLoaded() {
        if (model != opened) {
            model.close();
        }
    }

    private void image(String file) {
        if (file.isEmpty()) {
            err.println("slm: error: use /image FILE");
            return;
        }
        if (!model.seesImages()) {
            err.println("slm: error: this model cannot see images: use a vision model, or give its projector with --mmproj");
            return;
        }
        try {
            ChatImage image = ChatImage.read(Path.of(file));
            attached.add(image);
            note("(" + file + " attached to your next message: " + image + ")");
        } catch (SlmException | java.nio.file.InvalidPathException e) {
            err.println("slm: error: " + e.getMessage());
        }
    }

    private void show(String what) {
        switch (what) {
            case "parameters" -> err.println(ChatParameters.show(sampling));
            case "system" -> err.println(session.systemPrompt() == null || session.systemPrompt().isBlank()
                    ? "(no system prompt)" : session.systemPrompt());
            case "info" -> err.println(info());
            case "" -> {
                show("info");
                show("parameters");
                show("system");
            }
            default -> err.println("slm: error: /show parameters, /show system or /show info");
        }
    }

    private String info() {
        var i = model.info();
        return "model           " + i.name().orElse(i.path().getFileName().toString()) + "\n"
                + "architecture    " + i.architecture() + "\n"
                + "quantization    " + i.quantization() + "\n"
                + "context         " + model.options().contextSize() + " tokens\n"
                + "chat template   " + (model.options().chatTemplate() != null ? "the variant's"
                        : i.chatTemplate().isPresent() ? "the model's" : "none (ChatML)") + "\n"
                + "images          " + model.options().visionProjector().map(p -> "yes (projector " + p + ")").orElse("no");
    }

    private void note(String line) {
        err.println(Dim.text(line, in.interactive()));
        err.flush();
    }
}
