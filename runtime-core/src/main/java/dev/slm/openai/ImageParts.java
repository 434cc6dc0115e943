package dev.slm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slm.SlmException;
import dev.slm.engine.ChatImage;
import java.net.URI;
import java.util.Base64;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The {@code image_url} content parts of a chat request, made safe for llama.cpp's chat handler:
 * counted and sized against {@link ImageLimits}, their bytes recognised as an image slm can read,
 * and every URL rewritten as a {@code data:} URL. An {@code http(s)} URL is fetched only when the
 * limits allow it (by {@code fetcher}); llama.cpp, which would fetch it itself, never sees one. Any
 * other scheme ({@code file:} included) is refused.
 */
public final class ImageParts {
    private ImageParts() {
    }

    /** Whether any message carries an image part. */
    public static boolean present(ObjectNode body) {
        for (JsonNode m : body.path("messages")) {
            for (JsonNode part : m.path("content")) {
                if (part.isObject() && "image_url".equals(part.path("type").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Checks and rewrites the image parts in place; any part that is neither text nor an image is
     * refused.
     *
     * @param fetcher fetches an http(s) URL with a byte limit (only called when the limits allow fetching)
     * @return the number of images
     * @throws InvalidRequestException naming the part at fault
     */
    public static int prepare(ObjectNode body, ImageLimits limits, BiFunction<URI, Long, byte[]> fetcher) {
        int count = 0;
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode content = messages.get(i).path("content");
            if (!content.isArray()) {
                continue;
            }
            for (int j = 0; j < content.size(); j++) {
                JsonNode part = content.get(j);
                String type = part.path("type").asText("");
                if (type.equals("text")) {
                    continue;
                }
                if (!type.equals("image_url")) {
                    // llama.cpp's handler would fetch the URL of an input_audio part itself.
                    throw InvalidRequestException.unsupported("messages[" + i + "].content[" + j + "].type",
                            "content parts of type '" + type + "' are not supported: slm takes text and image_url parts");
                }
                String param = "messages[" + i + "].content[" + j + "].image_url";
                if (!"user".equals(messages.get(i).path("role").asText())) {
                    throw InvalidRequestException.invalid(param, "'" + param + "': only user messages may carry images");
                }
                if (++count > limits.maxImages()) {
                    throw InvalidRequestException.invalid(param, "too many images: this server takes at most "
                            + limits.maxImages() + " in one request (max_images)");
                }
                ChatImage image = image(url(part, param), param, limits, fetcher);
                ObjectNode imageUrl = ((ObjectNode) part).putObject("image_url");
                imageUrl.put("url", image.dataUrl());
                if (j + 1 < content.size() && "image_url".equals(content.get(j + 1).path("type").asText())) {
                    ((ArrayNode) content).insert(j + 1, separator());
                    j++;
                }
            }
        }
        return count;
    }

    /**
     * A copy of the body with its image parts left out: the text that routing rules read. A message
     * left with no part has empty content.
     */
    public static ObjectNode withoutImages(ObjectNode body) {
        ObjectNode copy = body.deepCopy();
        for (JsonNode m : copy.path("messages")) {
            JsonNode content = m.path("content");
            if (!content.isArray()) {
                continue;
            }
            for (int j = content.size() - 1; j >= 0; j--) {
                if ("image_url".equals(content.get(j).path("type").asText())) {
                    ((ArrayNode) content).remove(j);
                }
            }
            if (content.isEmpty()) {
                ((ObjectNode) m).put("content", "");
            }
        }
        return copy;
    }

    /**
     * A newline between two images that would otherwise touch. llama.cpp v0.5.0 fails a request
     * ("Chunk not found", a 500) when the prompt cached in its slot and the new one part exactly
     * between two adjacent images (server_tokens::keep_first); with text between them they never do.
     */
    public static ObjectNode separator() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "text").put("text", "\n");
    }

    /** OpenAI's {"url": ...} object; a bare string is taken too, as some clients send it. */
    private static String url(JsonNode part, String param) {
        JsonNode imageUrl = part.get("image_url");
        JsonNode url = imageUrl != null && imageUrl.isObject() ? imageUrl.get("url") : imageUrl;
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw InvalidRequestException.missing(param + ".url", "'" + param + ".url' is required: a data: URL"
                    + " (data:image/png;base64,...)");
        }
        return url.asText().strip();
    }

    private static ChatImage image(String url, String param, ImageLimits limits, BiFunction<URI, Long, byte[]> fetcher) {
        String scheme = url.contains(":") ? url.substring(0, url.indexOf(':')).toLowerCase(Locale.ROOT) : "";
        byte[] bytes = switch (scheme) {
            case "data" -> dataUrl(url, param, limits);
            case "http", "https" -> {
                if (!limits.fetchUrls()) {
                    throw InvalidRequestException.unsupported(param + ".url", "image URLs are not fetched by this server"
                            + " (fetch_image_urls is off): send the image itself as a data: URL (data:image/png;base64,...)");
                }
                URI uri;
                try {
                    uri = URI.create(url);
                } catch (IllegalArgumentException e) {
                    throw InvalidRequestException.invalid(param + ".url", "'" + param + ".url' is not a valid URL");
                }
                yield fetcher.apply(uri, limits.maxImageBytes());
            }
            default -> throw InvalidRequestException.unsupported(param + ".url", "'" + param + ".url' must be a data: URL"
                    + (limits.fetchUrls() ? " or an http(s) URL" : "") + ", got a '" + scheme + ":' URL");
        };
        if (bytes.length > limits.maxImageBytes()) {
            throw InvalidRequestException.invalid(param, "the image is " + bytes.length + " bytes; this server takes"
                    + " images of at most " + limits.maxImageBytes() + " bytes (max_image_size)");
        }
        try {
            return ChatImage.of(bytes);
        } catch (SlmException e) {
            throw InvalidRequestException.invalid(param, "'" + param + "': " + e.getMessage());
        }
    }

    /** data:[MIME][;base64],DATA; the size is checked before decoding. */
    private static byte[] dataUrl(String url, String param, ImageLimits limits) {
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw InvalidRequestException.invalid(param + ".url", "'" + param + ".url' must be a base64 data: URL"
                    + " (data:image/png;base64,...)");
        }
        String data = url.substring(comma + 1);
        if ((long) data.length() / 4 * 3 > limits.maxImageBytes() + 3) {
            throw InvalidRequestException.invalid(param, "the image is about " + ((long) data.length() / 4 * 3)
                    + " bytes; this server takes images of at most " + limits.maxImageBytes() + " bytes (max_image_size)");
        }
        try {
            return Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.invalid(param + ".url", "'" + param + ".url' is not valid base64: " + e.getMessage());
        }
    }
}
