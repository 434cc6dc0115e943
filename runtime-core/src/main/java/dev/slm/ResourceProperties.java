package dev.slm;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** A value from a properties file on the class path (build metadata such as versions). */
public final class ResourceProperties {
    private ResourceProperties() {
    }

    /** The value of {@code key} in {@code resource}, or {@code fallback} when either is missing. */
    public static String value(String resource, String key, String fallback) {
        try (InputStream in = ResourceProperties.class.getResourceAsStream(resource)) {
            if (in == null) {
                return fallback;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, fallback);
        } catch (IOException e) {
            return fallback;
        }
    }
}
