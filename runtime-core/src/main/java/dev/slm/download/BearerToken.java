package dev.slm.download;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An access token sent as {@code Authorization: Bearer}, only to the hosts it belongs to: a token
 * for Hugging Face never goes to a mirror or to the CDN Hugging Face redirects to.
 */
public record BearerToken(String token, Set<String> hosts) {
    private static final Set<String> HUGGING_FACE = Set.of("huggingface.co", "hf.co");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

    public BearerToken {
        hosts = Set.copyOf(hosts);
    }

    /** HF_TOKEN (or the older HUGGING_FACE_HUB_TOKEN), for gated Hugging Face repositories. */
    public static Optional<BearerToken> huggingFace(Map<String, String> env) {
        String token = env.getOrDefault("HF_TOKEN", env.get("HUGGING_FACE_HUB_TOKEN"));
        return token == null || token.isBlank() ? Optional.empty() : Optional.of(new BearerToken(token.strip(), HUGGING_FACE));
    }

    /** Its hosts, over https only; plain http only on loopback, where nothing leaves the machine. */
    public boolean appliesTo(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        boolean privateChannel = "https".equals(uri.getScheme()) || LOOPBACK.contains(host);
        return privateChannel && hosts.contains(host);
    }

    @Override
    public String toString() {
        return "BearerToken[hosts=" + hosts + "]";
    }
}
