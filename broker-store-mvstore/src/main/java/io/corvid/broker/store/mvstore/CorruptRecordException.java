package io.corvid.broker.store.mvstore;

/** A stored record that cannot be decoded: a bad checksum, a bad length, a value out of range. */
final class CorruptRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CorruptRecordException(String message) {
        super(message);
    }

    CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
