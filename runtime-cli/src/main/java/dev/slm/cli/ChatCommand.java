package dev.slm.cli;

import dev.slm.engine.ChatImage;
import dev.slm.engine.Model;
import dev.slm.engine.SamplingOptions;
import java.nio.file.Path;
import dev.slm.store.Variant;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with a model in the terminal; with a PROMPT, answer it and exit (-i: and go on chatting).",
            "At a terminal: line editing, history (~/.local/state/slm/history), \"\"\" for several lines.",
            "Commands: /set parameter NAME VALUE, /set system TEXT, /image FILE, /show, /clear, /reset, /exit (or Ctrl-D),"
                    + " /help;"
                    + " Ctrl-C stops the current answer."})
final class ChatCommand implements Callable<Integer> {
    @Mixin
    PromptArgs args;

    @Mixin
    ModelSourceOptions source;

    @Option(names = {"-i", "--interactive"}, description = "After answering the PROMPT, go on chatting.")
    boolean interactive;

    @Mixin
    ChatOptions chat;

    @Mixin
    ModelOptionsMixin modelOptions;

    @Mixin
    SamplingMixin sampling;

    @Override
    public Integer call() {
        String model = args.model();
        Optional<String> given = args.prompt().map(p -> p.equals("-") ? RunCommand.readStdin() : p);
        given.ifPresent(Model::requirePrompt);
        List<ChatImage> images = chat.readImages();
        ModelReference.Resolved resolved = ModelReference.resolveModel(model, source);
        SamplingOptions samplingOptions = sampling.toOptions(resolved.variant());
        if (chat.systemPrompt == null) {
            chat.systemPrompt = resolved.variant().map(Variant::system).orElse(null);
        }
        long start = System.nanoTime();
        ChatOptions.requireProjector(images, modelOptions.projector(resolved.projector()).isPresent());
        try (Model m = modelOptions.open(resolved, source.store.store());
             LineSource in = Terminals.interactive() ? TerminalLines.open(System.getenv()) : new PipedLines()) {
            ChatLoop loop = new ChatLoop(m, chat, samplingOptions, Duration.ofNanos(System.nanoTime() - start), in)
                    .attach(images).withVariants(new ChatVariants(resolved, source, modelOptions, sampling));
            if (given.isPresent()) {
                loop.answer(given.get());
                if (!interactive) {
                    return ExitCodes.OK;
                }
            }
            try {
                loop.run();
            } finally {
                loop.closeLoaded();
            }
        }
        return ExitCodes.OK;
    }
}
