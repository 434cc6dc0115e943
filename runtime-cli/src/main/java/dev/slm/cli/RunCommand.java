package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.Completion;
import dev.slm.engine.Model;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Continue a prompt and stream the model's text to stdout.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "A model name (pulled on first use; `slm list --available`) or the path of a .gguf file.")
    String model;

    @Mixin
    ModelSourceOptions source;

    @Parameters(index = "1", paramLabel = "PROMPT", arity = "0..1",
            description = "Text to continue; '-' or none reads it from stdin.")
    String prompt;

    @Mixin
    ModelOptionsMixin modelOptions;

    @Mixin
    SamplingMixin sampling;

    @Override
    public Integer call() {
        String text = prompt == null || prompt.equals("-") ? readStdin() : prompt;
        Model.requirePrompt(text);
        var samplingOptions = sampling.toOptions();
        try (Model m = modelOptions.open(ModelReference.resolve(model, source))) {
            PrintStream out = System.out;
            Completion c = m.generate(text, samplingOptions).forEachToken(piece -> {
                out.print(piece);
                out.flush();
            });
            out.println();
            out.flush();
            log.debug("stop={} prompt_tokens={} completion_tokens={} ttft={}ms {} tokens/s", c.stopReason(),
                    c.usage().promptTokens(), c.usage().completionTokens(), c.timings().timeToFirstToken().toMillis(),
                    String.format("%.1f", c.timings().tokensPerSecond()));
        }
        return ExitCodes.OK;
    }

    private static String readStdin() {
        if (System.console() != null) {
            throw new SlmException("no prompt given: pass one after the model, or pipe it on stdin");
        }
        try {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SlmException("cannot read the prompt from stdin: " + e.getMessage());
        }
    }
}
