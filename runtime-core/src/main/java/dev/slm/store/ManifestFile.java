package dev.slm.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slm.SlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** A manifest on disk: pretty JSON, written to a temporary file and renamed so it is never half there. */
final class ManifestFile {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestFile() {
    }

    static Manifest read(Path file, String name) {
        Manifest m;
        try {
            m = JSON.readValue(file.toFile(), Manifest.class);
        } catch (JacksonException e) {
            throw corrupt(file, name, "it is not valid manifest JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new SlmException("cannot read the manifest " + file + ": " + e.getMessage());
        }
        if (m == null || m.sha256() == null || !SHA256.matcher(m.sha256()).matches()) {
            throw corrupt(file, name, "it names no valid sha256 blob");
        }
        if (m.size() <= 0) {
            throw corrupt(file, name, "its size is " + m.size());
        }
        if (m.projector() != null && (m.projector().sha256() == null || !SHA256.matcher(m.projector().sha256()).matches()
                || m.projector().size() <= 0)) {
            throw corrupt(file, name, "its projector names no valid sha256 blob");
        }
        if (m.schema() > Manifest.SCHEMA) {
            throw new SlmException("the manifest of " + name + " was written by a newer slm (schema " + m.schema()
                    + "): update slm, or `slm rm " + name + "` and pull it again");
        }
        if (!name.equals(m.name())) {
            throw corrupt(file, name, "it is for '" + m.name() + "'");
        }
        return m;
    }

    static void write(Path file, Manifest manifest) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".manifest-", ".tmp");
            try {
                JSON.writeValue(tmp.toFile(), manifest);
                AtomicFiles.move(tmp, file);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new SlmException("cannot write the manifest " + file + ": " + e.getMessage());
        }
    }

    private static SlmException corrupt(Path file, String name, String why) {
        return new SlmException("the manifest of " + name + " (" + file + ") is corrupt: " + why
                + "; run `slm rm " + name + "` and pull or import it again");
    }
}
