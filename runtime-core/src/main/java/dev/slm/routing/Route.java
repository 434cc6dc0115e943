package dev.slm.routing;

import dev.slm.routing.local.LocalFailureException;
import dev.slm.routing.redaction.Redactor;
import dev.slm.routing.upstream.Upstream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How requests for some model names are answered: by a local model, or escalated to an upstream.
 *
 * @param name                   how decisions and metrics name the route.
 * @param models                 requested model names the route handles (e.g. "auto"); the names of
 *                               a {@link EscalationRule.RequestedModel} rule are handled too.
 * @param localModel             the local model that answers; null = the requested name.
 * @param upstream               the upstream escalations go to, and whose prices value local answers;
 *                               null = none. The router reaches it only through {@link #escalationTarget()}.
 * @param localOnly              privacy: nothing of this route's requests ever leaves the machine.
 * @param rules                  reasons to escalate, checked in order.
 * @param confidence             escalate below this local confidence (checked after the rules).
 * @param escalateOnLocalFailure local failures that send the request upstream instead.
 * @param fallbackToLocal        an upstream failure is answered locally instead of failing the request.
 * @param redactor               applied to what is sent upstream.
 * @param imagesLocal            privacy for images: a request that carries images is always answered
 *                               locally, whatever the rules say.
 */
public record Route(String name, Set<String> models, String localModel, Upstream upstream, boolean localOnly,
                    List<EscalationRule> rules, Optional<ConfidenceRule> confidence,
                    Set<LocalFailureException.Kind> escalateOnLocalFailure, boolean fallbackToLocal, Redactor redactor,
                    boolean imagesLocal) {

    /** Escalated on by default: the failures where a larger model elsewhere is the obvious way out. */
    public static final Set<LocalFailureException.Kind> DEFAULT_ESCALATE_ON = Set.of(
            LocalFailureException.Kind.MODEL_MISSING, LocalFailureException.Kind.OUT_OF_MEMORY,
            LocalFailureException.Kind.QUEUE_FULL);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    public Route {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("route name '" + name + "' is not allowed: use letters, digits, '_' or '-'");
        }
        models = Set.copyOf(models);
        rules = List.copyOf(rules);
        escalateOnLocalFailure = Set.copyOf(escalateOnLocalFailure);
        if (models.isEmpty() && rules.stream().noneMatch(r -> r instanceof EscalationRule.RequestedModel)) {
            throw new IllegalArgumentException("route '" + name + "' handles no model name: list the names clients ask for");
        }
        if (localModel == null && rules.stream().anyMatch(r -> r instanceof EscalationRule.RequestedModel)) {
            throw new IllegalArgumentException("route '" + name + "' escalates requests for some model names, so it"
                    + " needs the local model that answers them when they are not escalated (local)");
        }
        if (confidence == null) {
            confidence = Optional.empty();
        }
        if (redactor == null) {
            redactor = Redactor.none();
        }
    }

    /**
     * The upstream this route may send requests to: none for a local-only route, whatever its rules
     * say. Every escalation goes through here.
     */
    public Optional<Upstream> escalationTarget() {
        return localOnly ? Optional.empty() : Optional.ofNullable(upstream);
    }

    /** Whether requests for {@code model} follow this route. */
    public boolean handles(String model) {
        return models.contains(model) || rules.stream().anyMatch(
                r -> r instanceof EscalationRule.RequestedModel m && m.names().contains(model));
    }

    /** The local model that answers a request for {@code requested}. */
    public String localModelFor(String requested) {
        return localModel != null ? localModel : requested;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a route; unset parts take the defaults of the configuration file. */
    public static final class Builder {
        private final String name;
        private final Set<String> models = new LinkedHashSet<>();
        private String localModel;
        private Upstream upstream;
        private boolean localOnly;
        private final List<EscalationRule> rules = new ArrayList<>();
        private ConfidenceRule confidence;
        private Set<LocalFailureException.Kind> escalateOn = DEFAULT_ESCALATE_ON;
        private boolean fallbackToLocal = true;
        private Redactor redactor = Redactor.none();
        private boolean imagesLocal;

        private Builder(String name) {
            this.name = name;
        }

        public Builder models(String... names) {
            models.addAll(List.of(names));
            return this;
        }

        public Builder models(Set<String> names) {
            models.addAll(names);
            return this;
        }

        public Builder localModel(String model) {
            this.localModel = model;
            return this;
        }

        public Builder upstream(Upstream u) {
            this.upstream = u;
            return this;
        }

        public Builder localOnly(boolean v) {
            this.localOnly = v;
            return this;
        }

        public Builder rule(EscalationRule rule) {
            rules.add(rule);
            return this;
        }

        public Builder confidence(ConfidenceRule rule) {
            this.confidence = rule;
            return this;
        }

        public Builder escalateOnLocalFailure(Set<LocalFailureException.Kind> kinds) {
            this.escalateOn = Set.copyOf(kinds);
            return this;
        }

        public Builder fallbackToLocal(boolean v) {
            this.fallbackToLocal = v;
            return this;
        }

        public Builder redactor(Redactor r) {
            this.redactor = r;
            return this;
        }

        public Builder imagesLocal(boolean v) {
            this.imagesLocal = v;
            return this;
        }

        public Route build() {
            return new Route(name, models, localModel, upstream, localOnly, rules, Optional.ofNullable(confidence),
                    escalateOn, fallbackToLocal, redactor, imagesLocal);
        }
    }
}
