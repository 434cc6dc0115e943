package dev.slm.server.api;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} headers the server answers. A web page that rebinds its own domain name to
 * 127.0.0.1 sends requests whose Host is that domain; refusing names the server does not listen as
 * stops it. IP literals cannot be rebound, so they always pass; so do {@code localhost} and its
 * subdomains, the host the server is bound to, the machine's own name when it listens on every
 * interface, and whatever {@code allowed_hosts} adds ({@code *}: anything). A request without a
 * Host (HTTP/1.0) passes: browsers always send one.
 */
final class HostPolicy {
    private final boolean any;
    private final Set<String> names = new HashSet<>();

    HostPolicy(String bindHost, List<String> allowed) {
        this.any = allowed.contains("*");
        names.add("localhost");
        names.add(bindHost.toLowerCase(Locale.ROOT));
        allowed.forEach(a -> names.add(a.toLowerCase(Locale.ROOT)));
        if (wildcard(bindHost)) {
            try {
                InetAddress self = InetAddress.getLocalHost();
                names.add(self.getHostName().toLowerCase(Locale.ROOT));
                names.add(self.getCanonicalHostName().toLowerCase(Locale.ROOT));
            } catch (java.io.IOException e) {
                // no name for this machine: IP literals and allowed_hosts still work
            }
        }
    }

    boolean allows(String hostHeader) {
        if (any || hostHeader == null) {
            return true;
        }
        String name = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            return name.indexOf(']') > 0; // an IPv6 literal, with or without a port
        }
        name = withoutPort(name);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return ipv4(name) || names.contains(name) || name.endsWith(".localhost");
    }

    private static String withoutPort(String host) {
        int colon = host.lastIndexOf(':');
        return colon > 0 ? host.substring(0, colon) : host;
    }

    private static boolean ipv4(String name) {
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }
}
