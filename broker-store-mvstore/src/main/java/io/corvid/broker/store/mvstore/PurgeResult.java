package io.corvid.broker.store.mvstore;

/**
 * What {@link MvStoreSessionStore#purgeExpired} removed.
 *
 * @param sessions sessions whose expiry interval had elapsed since their client went away
 * @param messages session messages: those whose message expiry had passed, and those of the
 *                 removed sessions
 * @param retained retained messages whose message expiry had passed
 */
public record PurgeResult(int sessions, int messages, int retained) {

    /** How many records were removed in all. */
    public int total() {
        return sessions + messages + retained;
    }
}
