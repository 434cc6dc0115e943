package dev.slm.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What the store knows of one named model: which blob holds it and where it came from. Two names for
 * one file have two manifests and share the blob.
 *
 * @param file       the file's name where it came from (for humans; the blob is named by its hash)
 * @param source     the URL it was downloaded from, or {@code file:} URI of an imported file
 * @param createdAt  ISO-8601 instant of the pull or import
 * @param verifiedAt ISO-8601 instant the blob was last hashed and matched: at pull, import or {@code slm verify}
 * @param variant    for a variant made by {@code slm create}: its system prompt, parameters, adapters...;
 *                   null for a plain model
 * @param projector  a vision model's projector, a blob of its own pulled and verified with the model;
 *                   null for a text model (and in manifests written before slm knew images)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int schema, String name, String sha256, long size, String file, String architecture,
                       String quantization, String source, String createdAt, String verifiedAt, Variant variant,
                       Projector projector) {

    public static final int SCHEMA = 1;

    /** A vision projector's blob. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Projector(String sha256, long size, String file, String source) {
    }

    public static Manifest of(String name, String sha256, long size, String file, String architecture,
                              String quantization, String source, Instant now) {
        return new Manifest(SCHEMA, name, sha256, size, file, architecture, quantization, source, now.toString(),
                now.toString(), null, null);
    }

    public Manifest withProjector(Projector p) {
        return new Manifest(schema, name, sha256, size, file, architecture, quantization, source, createdAt, verifiedAt,
                variant, p);
    }

    public Manifest verified(Instant when) {
        return new Manifest(schema, name, sha256, size, file, architecture, quantization, source, createdAt,
                when.toString(), variant, projector);
    }

    /** The same model under another name (`slm cp`), its projector included. */
    public Manifest named(String newName) {
        return new Manifest(schema, newName, sha256, size, file, architecture, quantization, source, createdAt, verifiedAt,
                variant, projector);
    }

    /** A variant of the model this manifest names, called {@code newName}; a vision model's variant still sees. */
    public Manifest asVariant(String newName, Variant v, String sourceUri, Instant now) {
        return new Manifest(SCHEMA, newName, sha256, size, file, architecture, quantization, sourceUri, now.toString(),
                verifiedAt, v, projector);
    }

    public Optional<Variant> variantOf() {
        return Optional.ofNullable(variant);
    }

    /** The projector, for a vision model. */
    public Optional<Projector> visionProjector() {
        return Optional.ofNullable(projector);
    }

    public Optional<Instant> lastVerified() {
        try {
            return Optional.ofNullable(verifiedAt).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
