package dev.slm.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A whole answer and where it came from. The body already says so in {@code usage.slm_route}; the
 * server adds the {@value RouteDecision#HEADER} header from {@link #decision()}.
 */
public record RoutedResponse(ObjectNode body, RouteDecision decision) {
}
