package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.ChatImage;
import dev.slm.engine.ChatMessage;
import dev.slm.engine.Completion;
import dev.slm.engine.Generation;
import dev.slm.engine.Model;
import dev.slm.engine.SamplingOptions;
import dev.slm.store.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Answer a prompt and stream the model's text to stdout.",
            "A model whose file carries a chat template (tokenizer.chat_template) gets the prompt as a user message;"
                    + " one without (a base model) continues it. --raw always continues it.",
            "Without a prompt at a terminal, starts a chat (see `slm chat`)."})
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    PromptArgs args;

    @Mixin
    ModelSourceOptions source;

    @Option(names = "--raw", description = "Continue the prompt as plain text, without the model's chat template.")
    boolean raw;

    @Mixin
    ChatOptions chat;

    @Mixin
    ModelOptionsMixin modelOptions;

    @Mixin
    SamplingMixin sampling;

    @Override
    public Integer call() {
        String model = args.model();
        Optional<String> given = args.prompt();
        boolean chatting = given.isEmpty() && Terminals.interactive();
        String text = chatting ? null : given.filter(p -> !p.equals("-")).orElseGet(RunCommand::readStdin);
        if (!chatting) {
            Model.requirePrompt(text);
        }
        List<ChatImage> images = chat.readImages();
        if (raw && !images.isEmpty()) {
            throw new SlmException("--raw continues plain text, which cannot carry images: drop --raw or --image");
        }
        ModelReference.Resolved resolved = ModelReference.resolveModel(model, source);
        SamplingOptions samplingOptions = sampling.toOptions(resolved.variant());
        if (chat.systemPrompt == null) {
            chat.systemPrompt = resolved.variant().map(Variant::system).orElse(null);
        }
        long start = System.nanoTime();
        ChatOptions.requireProjector(images, modelOptions.projector(resolved.projector()).isPresent());
        try (Model m = modelOptions.open(resolved, source.store.store())) {
            Duration load = Duration.ofNanos(System.nanoTime() - start);
            if (chatting) {
                try (LineSource in = TerminalLines.open(System.getenv())) {
                    ChatLoop loop = new ChatLoop(m, chat, samplingOptions, load, in).attach(images)
                            .withVariants(new ChatVariants(resolved, source, modelOptions, sampling));
                    try {
                        loop.run();
                    } finally {
                        loop.closeLoaded();
                    }
                }
                return ExitCodes.OK;
            }
            // Images go through the chat template (llama.cpp's ChatML for a file without one).
            Generation g = images.isEmpty() && (raw || !m.hasChatTemplate())
                    ? m.generate(text, samplingOptions)
                    : m.chat(messages(text, images), samplingOptions);
            AnswerPrinter out = new AnswerPrinter(System.out, 0);
            Completion c = g.forEachToken(piece -> {
                if (!out.print(piece)) {
                    g.cancel();  // stdout closed (`| head`): stop generating, quietly
                }
            });
            out.end();
            log.debug("stop={} prompt_tokens={} completion_tokens={} ttft={}ms {} tokens/s", c.stopReason(),
                    c.usage().promptTokens(), c.usage().completionTokens(), c.timings().timeToFirstToken().toMillis(),
                    String.format("%.1f", c.timings().tokensPerSecond()));
            if (chat.stats && !out.closed()) {
                System.err.println(AnswerStats.of(c, load).line());
            }
        }
        return ExitCodes.OK;
    }

    private List<ChatMessage> messages(String text, List<ChatImage> images) {
        List<ChatMessage> messages = new ArrayList<>();
        if (chat.systemPrompt != null && !chat.systemPrompt.isBlank()) {
            messages.add(ChatMessage.system(chat.systemPrompt));
        }
        messages.add(ChatMessage.user(text, images));
        return messages;
    }

    static String readStdin() {
        try {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SlmException("cannot read the prompt from stdin: " + e.getMessage());
        }
    }
}
