package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutesTest {
    private static final Routes.Endpoint NOTHING = request -> ApiResponse.ok(Map.of());

    private final Routes routes = new Routes()
            .add(HttpMethod.GET, "/", NOTHING)
            .add(HttpMethod.GET, "/api/v1/clients", NOTHING)
            .add(HttpMethod.GET, "/api/v1/clients/{id}", NOTHING)
            .add(HttpMethod.DELETE, "/api/v1/clients/{id}", NOTHING)
            .add(HttpMethod.GET, "/api/v1/clients/{id}/subscriptions", NOTHING)
            .add(HttpMethod.GET, "/api/v1/retained", NOTHING)
            .add(HttpMethod.GET, "/api/v1/retained/{topic...}", NOTHING);

    @Test
    void literalPathsMatchExactly() {
        assertNotNull(routes.match("/"));
        assertNotNull(routes.match("/api/v1/clients"));
        assertNull(routes.match("/api/v1/client"));
        assertNull(routes.match("/api/v1/clients/a/b"));
        assertNull(routes.match("/api/v1/clients/"), "an empty identifier is no identifier");
    }

    @Test
    void aSegmentParameterIsPercentDecodedWithPlusKept() {
        Routes.Match match = routes.match("/api/v1/clients/sensor%2F7%20a+b");
        assertEquals(Map.of("id", "sensor/7 a+b"), match.parameters());
        assertEquals(Map.of("id", "x/subscriptions"),
                routes.match("/api/v1/clients/x%2Fsubscriptions").parameters(), "an escaped slash stays in the id");
        assertEquals(Map.of("id", "x"), routes.match("/api/v1/clients/x/subscriptions").parameters());
    }

    @Test
    void aRestParameterTakesTheRestOfThePathSlashesIncluded() {
        assertEquals(Map.of("topic", "home/kitchen temp/°C"),
                routes.match("/api/v1/retained/home/kitchen%20temp/%C2%B0C").parameters());
        assertEquals(Map.of("topic", "/leading//empty/"), routes.match("/api/v1/retained//leading//empty/").parameters());
        assertNull(routes.match("/api/v1/retained/"), "no topic: no match");
    }

    @Test
    void methodsOfAPathAreListedForAllow() {
        Routes.Match match = routes.match("/api/v1/clients/abc");
        assertNotNull(match.route().endpoint(HttpMethod.GET));
        assertNotNull(match.route().endpoint(HttpMethod.DELETE));
        assertNull(match.route().endpoint(HttpMethod.POST));
        assertEquals("GET, DELETE", match.route().allowed());
    }

    @Test
    void badEscapesAreABadRequest() {
        ApiException broken = assertThrows(ApiException.class, () -> routes.match("/api/v1/clients/a%2"));
        assertEquals(HttpResponseStatus.BAD_REQUEST, broken.status());
        assertThrows(ApiException.class, () -> routes.match("/api/v1/clients/a%zz"));
        assertThrows(ApiException.class, () -> routes.match("/api/v1/clients/%C3%28"), "not UTF-8");
    }

    @Test
    void aRouteIsDefinedOnce() {
        assertThrows(IllegalArgumentException.class, () -> routes.add(HttpMethod.GET, "/", NOTHING));
    }
}
