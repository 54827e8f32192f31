/**
 * A durable {@link io.corvid.broker.SessionStore} on H2 MVStore: persistent sessions, their
 * pending messages and the retained messages in one file, written by one thread in group
 * commits. Open it with {@link io.corvid.broker.store.mvstore.MvStoreSessionStore#open} and a
 * {@link io.corvid.broker.store.mvstore.Durability}; a file it cannot trust is refused with a
 * {@link io.corvid.broker.store.mvstore.StoreUnavailableException}. See
 * {@code docs/persistence.md} for what is stored, how, and what each durability costs.
 */
package io.corvid.broker.store.mvstore;
