package io.corvid.broker.engine;

import io.corvid.broker.SessionStore;

/**
 * The configured {@link SessionStore}, counting the changes each thread hands to it. A
 * connection's thread compares the count before and after processing a packet to learn
 * whether the packet changed stored state, and so whether its acknowledgement must wait until
 * the store has made that change durable. The count is per thread because the engine
 * processes a connection's packets on that connection's thread.
 */
final class TrackedStore implements SessionStore {
    private final SessionStore delegate;
    private final ThreadLocal<long[]> writes = ThreadLocal.withInitial(() -> new long[1]);

    TrackedStore(SessionStore delegate) {
        this.delegate = delegate;
    }

    /** Changes this thread has handed to the store so far. */
    long writesOnThisThread() {
        return writes.get()[0];
    }

    private void counted() {
        writes.get()[0]++;
    }

    @Override
    public State load() {
        return delegate.load();
    }

    @Override
    public void metricsRecorder(io.corvid.broker.MetricsRecorder recorder) {
        delegate.metricsRecorder(recorder);
    }

    @Override
    public void saveSession(StoredSession session) {
        counted();
        delegate.saveSession(session);
    }

    @Override
    public void removeSession(String clientId) {
        counted();
        delegate.removeSession(clientId);
    }

    @Override
    public void saveMessage(String clientId, StoredMessage message) {
        counted();
        delegate.saveMessage(clientId, message);
    }

    @Override
    public void removeMessage(String clientId, long sequence) {
        counted();
        delegate.removeMessage(clientId, sequence);
    }

    @Override
    public void saveRetained(StoredMessage message) {
        counted();
        delegate.saveRetained(message);
    }

    @Override
    public void removeRetained(String topic) {
        counted();
        delegate.removeRetained(topic);
    }

    @Override
    public void whenDurable(Runnable callback) {
        delegate.whenDurable(callback);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
