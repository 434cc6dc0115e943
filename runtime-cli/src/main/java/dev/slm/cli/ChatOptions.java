package dev.slm.cli;

import dev.slm.SlmException;
import dev.slm.engine.ChatImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The flags of a conversation, shared by {@code chat} and by {@code run} (which chats when given no prompt). */
final class ChatOptions {
    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt that opens the conversation.")
    String systemPrompt;

    @Option(names = "--no-context-shift",
            description = "When the conversation outgrows the context, fail (then /reset) instead of dropping the oldest turns.")
    boolean noContextShift;

    @Option(names = "--verbose",
            description = "After each answer, print prompt and generated tokens, tokens/s, time to first token and load time (stderr).")
    boolean stats;

    @Option(names = "--image", paramLabel = "FILE",
            description = "An image (PNG, JPEG, GIF, BMP) for the model to look at with the prompt; repeatable."
                    + " Needs a vision model (or --mmproj).")
    List<Path> images = new ArrayList<>();

    /** The --image files, read and checked before any model is loaded. */
    List<ChatImage> readImages() {
        return images.stream().map(ChatImage::read).toList();
    }

    /** Fails, before loading, when images are given but the model has no projector to see them with. */
    static void requireProjector(List<ChatImage> images, boolean hasProjector) {
        if (!images.isEmpty() && !hasProjector) {
            throw new SlmException("this model cannot see images: use a vision model (`slm list --available`"
                    + " shows them) or give its projector with --mmproj FILE");
        }
    }
}
