package dev.slm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slm.SlmException;
import dev.slm.openai.JsonSchemaCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The value of {@code --json-schema}: the schema itself (as llama.cpp's {@code -j} takes it), or
 * {@code @FILE}, or the path of a file. Checked with the validator {@code slm serve} uses, before the
 * model loads: llama.cpp's converter aborts the whole process on a schema it cannot handle.
 */
final class JsonSchemaArgument {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonSchemaArgument() {
    }

    /** The schema's text, checked. */
    static String read(String value) {
        String text = text(value);
        JsonNode schema;
        try {
            schema = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().lines().findFirst().orElse("");
            why = why.contains(" (") ? why.substring(0, why.indexOf(" (")) : why;
            var at = e.getLocation();
            throw new SlmException("the JSON schema is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ")") + ": " + why);
        }
        if (schema == null || schema.isMissingNode()) {
            throw new SlmException("the JSON schema is empty");
        }
        JsonSchemaCheck.check(schema); // InvalidRequestException is an SlmException: its one line is the message
        return text;
    }

    private static String text(String value) {
        String v = value.strip();
        if (v.startsWith("{") || v.startsWith("[") || v.isEmpty()) {
            return v;
        }
        Path file;
        try {
            file = Path.of(v.startsWith("@") ? v.substring(1) : v);
        } catch (InvalidPathException e) {
            throw new SlmException("--json-schema takes a JSON schema, @FILE or a file's path, got " + value);
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new SlmException("cannot read the JSON schema file " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
    }
}
