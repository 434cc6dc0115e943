package dev.slm.download;

import dev.slm.SlmException;
import dev.slm.store.AtomicFiles;
import dev.slm.store.ByteSize;
import dev.slm.store.DiskSpace;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one file into place safely on a flaky network: mirrors in order, each retried with
 * backoff after drops, timeouts and 5xx answers, resuming with HTTP Range where the last try
 * stopped; SHA-256 computed as bytes arrive; the file renamed into place only when its size and
 * hash match. A mismatch deletes what was received and says which of the two failed.
 *
 * <p>The caller holds the file's lock (see {@code BlobLock}): one writer per partial file.
 */
public final class Downloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Downloader.class);
    private static final int MAX_REDIRECTS = 10;

    private final DownloadSettings settings;
    private final DiskSpace diskSpace;
    private final HttpClient client;

    public Downloader(DownloadSettings settings, DiskSpace diskSpace) {
        this.settings = settings;
        this.diskSpace = diskSpace;
        // HTTP/1.1: one large sequential body gains nothing from HTTP/2, whose flow control makes
        // Java's client slower on such transfers. Redirects are followed here, not by the client, so
        // a token never follows a redirect to another host and https never falls back to http.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(settings.proxy())
                .build();
    }

    /**
     * Downloads {@code spec} to {@code target}, through {@code partialFile} (resumed if present).
     *
     * @param check run on the complete, verified file before it is renamed into place; throwing an
     *              SlmException refuses it (the file is deleted)
     * @return the URL that delivered the file
     */
    public URI fetch(DownloadSpec spec, Path partialFile, Path target, ProgressReporter progress, Consumer<Path> check) {
        long kept = sizeOf(partialFile);
        diskSpace.require(partialFile.getParent(), spec.size() - Math.min(kept, spec.size()), spec.label());
        progress.start(spec.label(), spec.size(), Math.min(kept, spec.size()));
        List<String> failures = new ArrayList<>();
        boolean unreachable = true;
        for (URI url : spec.urls()) {
            // Reopened for each mirror: one that failed with a bad file deleted it, and the next starts afresh.
            try (PartialDownload part = PartialDownload.open(partialFile, spec.size())) {
                fromMirror(url, spec, part, progress);
                String actual = part.sha256();
                if (!actual.equals(spec.sha256())) {
                    part.delete();
                    throw new MirrorFailure("sha256 mismatch: the file received hashes to " + actual
                            + " but the lock file pins " + spec.sha256() + "; the download was deleted");
                }
                progress.finish();
                part.sync();
                part.close();
                install(part, target, check);
                return url;
            } catch (MirrorFailure f) {
                unreachable &= f.unreachable();
                failures.add(url + ": " + f.getMessage());
                if (spec.urls().size() > 1) {
                    progress.note("giving up on " + url.getHost() + " for " + spec.label() + ": " + f.getMessage());
                }
            }
        }
        progress.finish();
        long left = sizeOf(partialFile);
        if (left == 0) {
            deleteEmpty(partialFile);
        }
        if (unreachable) {
            throw new NoNetworkException("cannot download " + spec.label() + ": no network (" + String.join("; ", failures) + ")");
        }
        throw new SlmException("cannot download " + spec.label() + ": " + String.join("; ", failures)
                + (left > 0 ? " (" + ByteSize.format(left) + " of " + ByteSize.format(spec.size())
                        + " are kept: pull again to resume)" : ""));
    }

    private static void deleteEmpty(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.debug("cannot delete the empty {}: {}", file, e.getMessage());
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void install(PartialDownload part, Path target, Consumer<Path> check) {
        try {
            check.accept(part.path());
        } catch (SlmException refused) {
            part.delete();
            throw refused;
        }
        try {
            Files.createDirectories(target.getParent());
            AtomicFiles.move(part.path(), target);
        } catch (IOException e) {
            throw new SlmException("cannot move the download into " + target + ": " + e.getMessage());
        }
    }

    /** Keeps trying one mirror while it makes progress or has tries left. */
    private void fromMirror(URI url, DownloadSpec spec, PartialDownload part, ProgressReporter progress) throws MirrorFailure {
        int failures = 0;
        while (part.length() < spec.size()) {
            long before = part.length();
            try {
                transfer(url, spec, part, progress);
                if (part.length() < spec.size()) {
                    throw new IOException("the connection ended after " + ByteSize.format(part.length()) + " of "
                            + ByteSize.format(spec.size()));
                }
            } catch (IOException | RetryableStatus e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new SlmException("download of " + spec.label() + " interrupted; "
                            + ByteSize.format(part.length()) + " kept, pull again to resume");
                }
                String unreachable = unreachable(e, url);
                if (unreachable != null) {
                    throw new MirrorFailure(unreachable, true);
                }
                failures = part.length() > before ? 1 : failures + 1;
                String reason = reason(e);
                if (failures >= settings.retry().attemptsPerMirror()) {
                    throw new MirrorFailure(reason + " (gave up after " + failures + " tries)");
                }
                Duration wait = settings.retry().backoff(failures);
                progress.note("download of " + spec.label() + " from " + url.getHost() + " failed (" + reason
                        + "); retrying in " + wait.toMillis() / 1000.0 + " s from " + ByteSize.format(part.length()));
                sleep(wait);
            }
        }
    }

    /** One HTTP exchange: asks for the bytes from the partial file's length on and appends what comes. */
    private void transfer(URI url, DownloadSpec spec, PartialDownload part, ProgressReporter progress)
            throws IOException, MirrorFailure, RetryableStatus {
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(url, part.length());
        try (BodyStream body = new BodyStream(settings.stallTimeout())) {
            response.body().subscribe(body);
            int status = response.statusCode();
            switch (status) {
                case 206 -> checkRange(response, spec, part);
                case 200 -> {
                    if (part.length() > 0) {
                        log.debug("{} ignores Range requests: starting {} over", url.getHost(), spec.label());
                        part.restart();
                    }
                    OptionalLong length = RangeRequest.contentLength(response);
                    if (length.isPresent() && length.getAsLong() != spec.size()) {
                        throw sizeMismatch(length.getAsLong(), spec);
                    }
                }
                case 416 -> {
                    part.restart();
                    throw new RetryableStatus("the server refused to resume (416); starting over");
                }
                case 401, 403 -> throw new MirrorFailure("HTTP " + status + " (access denied: for a gated Hugging Face"
                        + " model accept its licence on the model page and set HF_TOKEN to a token of that account)");
                case 404, 410 -> throw new MirrorFailure("HTTP " + status + " (not found: the file was moved or removed"
                        + " upstream; a newer slm, or a mirror in your lock file, may have it)");
                default -> {
                    if (status == 408 || status == 429 || status >= 500) {
                        throw new RetryableStatus("HTTP " + status);
                    }
                    throw new MirrorFailure("unexpected HTTP " + status);
                }
            }
            for (ByteBuffer bytes; (bytes = body.next()) != null; ) {
                if (part.length() + bytes.remaining() > spec.size()) {
                    part.delete();
                    throw new MirrorFailure("size mismatch: the server sent more than the " + spec.size()
                            + " bytes the lock file pins; the download was deleted");
                }
                part.write(bytes);
                progress.update(part.length());
            }
        }
    }

    private static void checkRange(HttpResponse<?> response, DownloadSpec spec, PartialDownload part) throws MirrorFailure {
        RangeRequest.ContentRange range = RangeRequest.contentRange(response)
                .orElseThrow(() -> new MirrorFailure("the server answered 206 without a usable Content-Range"));
        if (range.total() != spec.size()) {
            throw sizeMismatch(range.total(), spec);
        }
        if (range.start() != part.length()) {
            throw new MirrorFailure("the server sent bytes from " + range.start() + " when asked for " + part.length());
        }
    }

    private static MirrorFailure sizeMismatch(long reported, DownloadSpec spec) {
        return new MirrorFailure("size mismatch: the server reports " + reported + " bytes but the lock file pins "
                + spec.size() + " (the file upstream changed, or this is the wrong file); nothing was kept from it");
    }

    /** Sends the GET, following redirects itself (see the constructor). */
    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(URI url, long offset) throws IOException, MirrorFailure {
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
            try {
                response = client.send(RangeRequest.build(current, offset, settings.token(), settings.stallTimeout()),
                        HttpResponse.BodyHandlers.ofPublisher());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while connecting to " + current.getHost());
            }
            int status = response.statusCode();
            if (status < 300 || status >= 400 || status == 304) {
                return response;
            }
            discard(response);
            URI next = response.headers().firstValue("Location").map(current::resolve)
                    .orElseThrow(() -> new MirrorFailure("HTTP " + status + " redirect without a Location"));
            if ("https".equals(current.getScheme()) && !"https".equals(next.getScheme())) {
                throw new MirrorFailure("refusing a redirect from https to " + next.getScheme());
            }
            log.debug("{} redirects to {}", current.getHost(), next.getHost());
            current = next;
        }
        throw new MirrorFailure("more than " + MAX_REDIRECTS + " redirects");
    }

    private static void discard(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
        try (BodyStream body = new BodyStream(Duration.ZERO)) {
            response.body().subscribe(body);
        }
    }

    /**
     * Why {@code url} cannot be reached at all (its host does not resolve, no route to it), or null
     * for a failure worth retrying. Java's client reports these as a ConnectException whose cause
     * says which.
     */
    static String unreachable(Throwable e, URI url) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return url.getHost() + " does not resolve";
            }
            if (t instanceof java.net.NoRouteToHostException
                    || (t.getMessage() != null && t.getMessage().contains("Network is unreachable"))) {
                return "the network is unreachable";
            }
        }
        return null;
    }

    private static String reason(Exception e) {
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "timed out: " + e.getMessage();
        }
        if (e instanceof java.net.ConnectException) {
            return "cannot connect" + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SlmException("download interrupted");
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** An HTTP answer worth retrying on the same mirror (5xx, 429, 408). */
    private static final class RetryableStatus extends Exception {
        RetryableStatus(String reason) {
            super(reason, null, false, false);
        }
    }
}
