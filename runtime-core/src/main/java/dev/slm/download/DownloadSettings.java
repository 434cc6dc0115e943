package dev.slm.download;

import java.net.ProxySelector;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How downloads talk to the network.
 *
 * @param stallTimeout how long a connection may deliver nothing (headers or body) before it counts as
 *                     dropped; HttpClient itself has no timeout once the body has started
 */
public record DownloadSettings(RetryPolicy retry, Duration connectTimeout, Duration stallTimeout,
                               Optional<BearerToken> token, ProxySelector proxy) {

    /** What {@code slm} uses: standard retries, HF_TOKEN and the proxy settings of the environment. */
    public static DownloadSettings fromEnvironment(Map<String, String> env) {
        return new DownloadSettings(RetryPolicy.standard(), Duration.ofSeconds(20), Duration.ofSeconds(60),
                BearerToken.huggingFace(env), EnvironmentProxy.choose(env));
    }

    public DownloadSettings withRetry(RetryPolicy r) {
        return new DownloadSettings(r, connectTimeout, stallTimeout, token, proxy);
    }

    public DownloadSettings withStallTimeout(Duration d) {
        return new DownloadSettings(retry, connectTimeout, d, token, proxy);
    }

    public DownloadSettings withToken(Optional<BearerToken> t) {
        return new DownloadSettings(retry, connectTimeout, stallTimeout, t, proxy);
    }

    public DownloadSettings withProxy(ProxySelector p) {
        return new DownloadSettings(retry, connectTimeout, stallTimeout, token, p);
    }
}
