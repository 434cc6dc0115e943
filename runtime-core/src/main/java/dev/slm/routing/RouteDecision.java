package dev.slm.routing;

/**
 * Where a request is answered, and why, in words an operator can check against the configuration.
 *
 * @param target   local or upstream.
 * @param route    the route followed; "" when no route handles the requested model.
 * @param upstream the upstream's name when escalated, else null.
 * @param reason   why, e.g. "the request matches /(?i)contract/".
 */
public record RouteDecision(Target target, String route, String upstream, String reason) {
    /** The response header that carries {@link #label()}. */
    public static final String HEADER = "x-slm-route";

    public enum Target { LOCAL, UPSTREAM }

    public static RouteDecision local(String route, String reason) {
        return new RouteDecision(Target.LOCAL, route, null, reason);
    }

    public static RouteDecision upstream(String route, String upstream, String reason) {
        return new RouteDecision(Target.UPSTREAM, route, upstream, reason);
    }

    public boolean isLocal() {
        return target == Target.LOCAL;
    }

    /** What the {@value #HEADER} header and {@code usage.slm_route} say: "local" or "upstream:NAME". */
    public String label() {
        return isLocal() ? "local" : "upstream:" + upstream;
    }
}
