package io.corvid.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The server side of one enhanced authentication exchange. Each call receives the client's
 * Authentication Data (from CONNECT, then from each AUTH) and answers with the next step.
 */
@FunctionalInterface
public interface AuthenticationExchange {

    /**
     * Answers one client step at once. Runs on a network thread: must not block.
     *
     * @param clientData the client's Authentication Data, or {@code null} when it sent none
     */
    AuthenticationStep respond(byte[] clientData);

    /**
     * The broker calls this one; override it to answer asynchronously. The plug-in timeout
     * applies, after which the client is refused with 0x88 Server unavailable.
     */
    default CompletionStage<AuthenticationStep> respondAsync(byte[] clientData) {
        return CompletableFuture.completedFuture(respond(clientData));
    }
}
