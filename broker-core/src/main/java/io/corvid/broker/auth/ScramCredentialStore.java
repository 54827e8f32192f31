package io.corvid.broker.auth;

/** Looks up the SCRAM credentials of a user. */
@FunctionalInterface
public interface ScramCredentialStore {

    /**
     * The credentials of {@code username}, or {@code null} for an unknown user. Called on a
     * network thread: must be quick.
     */
    ScramCredentials lookup(String username);
}
