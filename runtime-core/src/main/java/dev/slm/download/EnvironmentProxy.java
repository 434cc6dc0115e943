package dev.slm.download;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy settings curl, pip and git honour (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, lower case too),
 * which Java itself ignores. Java's own settings ({@code -Dhttps.proxyHost=...},
 * {@code -Djava.net.useSystemProxies=true}) win when given, through {@link ProxySelector#getDefault()}.
 */
public final class EnvironmentProxy extends ProxySelector {
    private static final Logger log = LoggerFactory.getLogger(EnvironmentProxy.class);

    private final Optional<URI> https;
    private final Optional<URI> http;
    private final List<String> noProxy;

    private EnvironmentProxy(Optional<URI> https, Optional<URI> http, List<String> noProxy) {
        this.https = https;
        this.http = http;
        this.noProxy = noProxy;
    }

    /** The selector downloads use: Java's when its proxy properties are set, else one from the environment. */
    public static ProxySelector choose(Map<String, String> env) {
        for (String p : List.of("https.proxyHost", "http.proxyHost", "socksProxyHost", "java.net.useSystemProxies")) {
            String v = System.getProperty(p);
            if (v != null && !v.isBlank() && !"false".equals(v)) {
                return ProxySelector.getDefault();
            }
        }
        EnvironmentProxy fromEnv = fromEnvironment(env);
        return fromEnv.https.isPresent() || fromEnv.http.isPresent() ? fromEnv : ProxySelector.getDefault();
    }

    static EnvironmentProxy fromEnvironment(Map<String, String> env) {
        Optional<URI> https = proxy(env, "HTTPS_PROXY").or(() -> proxy(env, "ALL_PROXY"));
        Optional<URI> http = proxy(env, "HTTP_PROXY").or(() -> proxy(env, "ALL_PROXY"));
        String no = first(env, "NO_PROXY").orElse("");
        List<String> noProxy = Arrays.stream(no.split(","))
                .map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
        return new EnvironmentProxy(https, http, noProxy);
    }

    @Override
    public List<Proxy> select(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        Optional<URI> proxy = "https".equals(uri.getScheme()) ? https : http;
        if (proxy.isEmpty() || bypassed(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        URI p = proxy.get();
        int port = p.getPort() != -1 ? p.getPort() : "https".equals(p.getScheme()) ? 443 : 80;
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port)));
    }

    private boolean bypassed(String host) {
        for (String rule : noProxy) {
            String r = rule.startsWith("*.") ? rule.substring(1) : rule;
            if (r.equals("*") || host.equals(r.startsWith(".") ? r.substring(1) : r)
                    || r.startsWith(".") && host.endsWith(r) || !r.startsWith(".") && host.endsWith("." + r)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress proxy, IOException e) {
        log.debug("proxy {} failed for {}: {}", proxy, uri, e.getMessage());
    }

    private static Optional<URI> proxy(Map<String, String> env, String name) {
        return first(env, name).map(v -> {
            URI uri = URI.create(v.contains("://") ? v : "http://" + v);
            if (uri.getUserInfo() != null) {
                log.warn("{} carries a user name and password, which slm does not send to proxies; use a proxy that needs none", name);
            }
            return uri;
        }).filter(u -> u.getHost() != null);
    }

    private static Optional<String> first(Map<String, String> env, String name) {
        String v = env.getOrDefault(name, env.get(name.toLowerCase(Locale.ROOT)));
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }
}
