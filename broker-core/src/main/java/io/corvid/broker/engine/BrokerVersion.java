package io.corvid.broker.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of the running broker: from {@code version.properties}, which the build fills in,
 * else from the jar manifest; "development build" when neither tells (a build outside Maven).
 */
final class BrokerVersion {
    private static final String RESOURCE = "version.properties";
    private static final String UNKNOWN = "development build";

    private BrokerVersion() {
    }

    /** The version, never {@code null}. */
    static String current() {
        String filtered = fromResource();
        if (filtered != null) {
            return filtered;
        }
        String manifest = BrokerVersion.class.getPackage().getImplementationVersion();
        return manifest != null && !manifest.isBlank() ? manifest : UNKNOWN;
    }

    private static String fromResource() {
        try (InputStream in = BrokerVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version");
            // Unfiltered (built without Maven), the placeholder is still there.
            return version == null || version.isBlank() || version.contains("${") ? null : version.strip();
        } catch (IOException e) {
            // A resource inside the jar that cannot be read: the manifest may still tell.
            return null;
        }
    }
}
