package dev.slm.download;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GET for the bytes of a file from an offset on ({@code Range: bytes=N-}), and the reading of what
 * the server answered: a 206 with its Content-Range, or a 200 from a server that ignores ranges.
 */
final class RangeRequest {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    static final String USER_AGENT = "slm (+java.net.http)";

    /** The range a 206 answer covers: first byte and the file's total size. */
    record ContentRange(long start, long total) {
    }

    private RangeRequest() {
    }

    static HttpRequest build(URI uri, long offset, Optional<BearerToken> token, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(timeout)
                .header("User-Agent", USER_AGENT)
                // Compression would change the bytes counted and hashed; model files do not compress anyway.
                .header("Accept-Encoding", "identity");
        if (offset > 0) {
            b.header("Range", "bytes=" + offset + "-");
        }
        token.filter(t -> t.appliesTo(uri)).ifPresent(t -> b.header("Authorization", "Bearer " + t.token()));
        return b.build();
    }

    /** The Content-Range of a 206 answer, when it is one this client understands. */
    static Optional<ContentRange> contentRange(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Range").map(String::strip).flatMap(v -> {
            Matcher m = CONTENT_RANGE.matcher(v);
            if (!m.matches() || m.group(3).equals("*")) {
                return Optional.empty();
            }
            return Optional.of(new ContentRange(Long.parseLong(m.group(1)), Long.parseLong(m.group(3))));
        });
    }

    static OptionalLong contentLength(HttpResponse<?> response) {
        return response.headers().firstValueAsLong("Content-Length");
    }
}
