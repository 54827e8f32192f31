package io.corvid.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Decides whether a connecting client may connect.
 *
 * <p>The simple form is a lambda that answers at once:
 * <pre>{@code
 * Authentication auth = request -> "secret".equals(new String(request.password(), UTF_8))
 *         ? AuthenticationResult.allow() : AuthenticationResult.badCredentials();
 * }</pre>
 * It runs on a network thread, so it must not block. A plug-in that asks a slow backend
 * overrides {@link #authenticateAsync} instead (or uses {@link #async}): the broker holds the
 * connection, reads nothing more from it, and resumes when the stage completes. If it does not
 * complete within the broker's plug-in timeout ({@link Broker.Builder#pluginTimeout}), or
 * completes exceptionally, the client is refused with 0x88 Server Unavailable (3.1.1: return
 * code 3): a backend outage never lets anyone in.
 */
@FunctionalInterface
public interface Authentication {

    /** Decides at once. Called on a network thread: must not block. */
    AuthenticationResult authenticate(AuthenticationRequest request);

    /** The broker calls this one. The default answers with {@link #authenticate}. */
    default CompletionStage<AuthenticationResult> authenticateAsync(AuthenticationRequest request) {
        return CompletableFuture.completedFuture(authenticate(request));
    }

    /** Lets every client in: the broker's default, announced in the log at start. */
    static Authentication allowAll() {
        return request -> AuthenticationResult.allow();
    }

    /**
     * An authentication that answers asynchronously. Its synchronous form waits for the
     * stage; the broker never calls it.
     */
    static Authentication async(Function<AuthenticationRequest, CompletionStage<AuthenticationResult>> check) {
        return new Authentication() {
            @Override
            public AuthenticationResult authenticate(AuthenticationRequest request) {
                return check.apply(request).toCompletableFuture().join();
            }

            @Override
            public CompletionStage<AuthenticationResult> authenticateAsync(AuthenticationRequest request) {
                return check.apply(request);
            }
        };
    }
}
