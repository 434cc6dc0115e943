package dev.slm.engine;

import dev.slm.SlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * An image inside a chat message: the bytes of a file, decoded by llama.cpp (stb_image) when the
 * model answers. The format is recognised from the first bytes here, so that a file llama.cpp
 * cannot read fails with a message naming the problem, before any model work.
 *
 * <p>WebP is refused: llama.cpp decodes it only by running an {@code ffmpeg} binary (its video
 * helper), which slm's build leaves out.
 */
public final class ChatImage {
    /** The formats llama.cpp's image decoder reads; the MIME type goes into data URLs. */
    public enum Format {
        PNG("image/png"), JPEG("image/jpeg"), GIF("image/gif"), BMP("image/bmp");

        private final String mimeType;

        Format(String mimeType) {
            this.mimeType = mimeType;
        }

        public String mimeType() {
            return mimeType;
        }
    }

    private final byte[] bytes;
    private final Format format;

    private ChatImage(byte[] bytes, Format format) {
        this.bytes = bytes;
        this.format = format;
    }

    /**
     * The image in {@code bytes} (copied).
     *
     * @throws SlmException when the bytes are not a PNG, JPEG, GIF or BMP image
     */
    public static ChatImage of(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new SlmException("the image is empty");
        }
        return new ChatImage(bytes.clone(), formatOf(bytes));
    }

    /** The image in a file; the message names the file when it cannot be read or is not an image. */
    public static ChatImage read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SlmException("cannot read the image " + file + ": " + e.getMessage(), e);
        }
        try {
            return of(bytes);
        } catch (SlmException e) {
            throw new SlmException(file + ": " + e.getMessage(), e);
        }
    }

    private static Format formatOf(byte[] b) {
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a)) {
            return Format.PNG;
        }
        if (startsWith(b, 0, 0xff, 0xd8, 0xff)) {
            return Format.JPEG;
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8')) {
            return Format.GIF;
        }
        if (startsWith(b, 0, 'B', 'M')) {
            return Format.BMP;
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            throw new SlmException("WebP images are not supported (llama.cpp decodes them only through ffmpeg): "
                    + "convert the image to PNG or JPEG");
        }
        throw new SlmException("not an image slm can read: send PNG, JPEG, GIF or BMP bytes");
    }

    private static boolean startsWith(byte[] b, int offset, int... prefix) {
        if (b.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[offset + i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    public Format format() {
        return format;
    }

    /** The image's size in bytes. */
    public int size() {
        return bytes.length;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The image as a {@code data:} URL, the form llama.cpp's chat handler takes. */
    public String dataUrl() {
        return "data:" + format.mimeType() + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChatImage other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return format + " image, " + bytes.length + " bytes";
    }
}
