package io.corvid.broker.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's static files, read from this jar once at start and served from memory. They
 * hold no data (the page fetches it from the API with the token), so they are served to anyone
 * who can reach the server. Only the files listed here exist: no path from a request ever
 * reaches the class path.
 */
final class DashboardFiles {
    private static final String RESOURCES = "/io/corvid/broker/admin/dashboard/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8");
    /**
     * Everything from this server, nothing inline, no frames: a page that can disconnect clients
     * must not be framed by another site (clickjacking) or run injected script.
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private final Map<String, byte[]> files;

    DashboardFiles() {
        this.files = Map.of(
                "index.html", read("index.html"),
                "dashboard.css", read("dashboard.css"),
                "dashboard.js", read("dashboard.js"));
    }

    /** {@code GET /}: the page. */
    ApiResponse index(ApiRequest request) {
        return serve("index.html");
    }

    /** {@code GET /dashboard/{file}}: a script or style sheet of the page. */
    ApiResponse file(ApiRequest request) {
        String name = request.pathParameter("file");
        if (!files.containsKey(name)) {
            throw ApiException.notFound("no dashboard file '" + name + "'");
        }
        return serve(name);
    }

    private ApiResponse serve(String name) {
        return new ApiResponse(HttpResponseStatus.OK, TYPES.get(name), files.get(name), Map.of(
                "content-security-policy", CONTENT_SECURITY_POLICY,
                "x-frame-options", "DENY",
                "referrer-policy", "no-referrer"));
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardFiles.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard file " + RESOURCES + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard file " + name, e);
        }
    }
}
