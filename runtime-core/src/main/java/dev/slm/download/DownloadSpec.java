package dev.slm.download;

import java.net.URI;
import java.util.List;

/**
 * One file to fetch: where from (mirrors, in order) and what it must be.
 *
 * @param label what progress lines and messages call it (the model's name)
 */
public record DownloadSpec(String label, List<URI> urls, long size, String sha256) {
    public DownloadSpec {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("a download needs at least one URL");
        }
    }
}
