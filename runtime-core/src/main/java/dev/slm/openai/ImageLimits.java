package dev.slm.openai;

import java.time.Duration;

/**
 * What a chat request may carry in images.
 *
 * @param maxImages     images in one request, all messages together
 * @param maxImageBytes bytes of one image, decoded
 * @param fetchUrls     whether {@code http(s)} image URLs are fetched; off by default, since a
 *                      private server must not be made to fetch addresses on a client's behalf
 * @param fetchTimeout  how long one fetch may take
 */
public record ImageLimits(int maxImages, long maxImageBytes, boolean fetchUrls, Duration fetchTimeout) {
    public static final ImageLimits DEFAULTS = new ImageLimits(4, 5L << 20, false, Duration.ofSeconds(10));
}
