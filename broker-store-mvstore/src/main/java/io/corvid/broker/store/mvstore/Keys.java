package io.corvid.broker.store.mvstore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys of the store's maps, all byte arrays compared as unsigned bytes.
 *
 * <ul>
 *   <li>Sessions by client identifier, retained messages by topic: the UTF-8 bytes of the text.
 *   <li>Session messages: the UTF-8 length of the client identifier (4 bytes, big-endian), its
 *       UTF-8 bytes, then the sequence number (8 bytes, big-endian, sign bit flipped). The
 *       length prefix keeps one client's keys together, and apart from every other client's, in
 *       sequence order.
 * </ul>
 */
final class Keys {
    private static final int LENGTH_BYTES = 4;
    private static final int SEQUENCE_BYTES = 8;

    private Keys() {
    }

    /** The key of a session (by client identifier) or of a retained message (by topic). */
    static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The key of one message of a session. */
    static byte[] message(String clientId, long sequence) {
        byte[] id = text(clientId);
        byte[] key = new byte[LENGTH_BYTES + id.length + SEQUENCE_BYTES];
        putInt(key, 0, id.length);
        System.arraycopy(id, 0, key, LENGTH_BYTES, id.length);
        putLong(key, LENGTH_BYTES + id.length, sequence ^ Long.MIN_VALUE);
        return key;
    }

    /** The lowest key a message of {@code clientId} can have. */
    static byte[] firstMessage(String clientId) {
        return message(clientId, Long.MIN_VALUE);
    }

    /** The highest key a message of {@code clientId} can have. */
    static byte[] lastMessage(String clientId) {
        return message(clientId, Long.MAX_VALUE);
    }

    /** The client identifier of a message key. */
    static String messageClientId(byte[] key) {
        int length = checkedIdLength(key);
        return new String(key, LENGTH_BYTES, length, StandardCharsets.UTF_8);
    }

    /** The sequence number of a message key. */
    static long messageSequence(byte[] key) {
        int length = checkedIdLength(key);
        long value = 0;
        for (int i = LENGTH_BYTES + length; i < key.length; i++) {
            value = (value << 8) | (key[i] & 0xFF);
        }
        return value ^ Long.MIN_VALUE;
    }

    /** Whether two message keys belong to the same client (compares the length-prefixed identifier). */
    static boolean sameClient(byte[] messageKey, byte[] otherMessageKey) {
        int length = checkedIdLength(messageKey);
        return checkedIdLength(otherMessageKey) == length
                && Arrays.equals(messageKey, 0, LENGTH_BYTES + length, otherMessageKey, 0, LENGTH_BYTES + length);
    }

    private static int checkedIdLength(byte[] key) {
        if (key.length < LENGTH_BYTES + SEQUENCE_BYTES) {
            throw new CorruptRecordException("message key of " + key.length + " bytes");
        }
        int length = ((key[0] & 0xFF) << 24) | ((key[1] & 0xFF) << 16) | ((key[2] & 0xFF) << 8) | (key[3] & 0xFF);
        if (length != key.length - LENGTH_BYTES - SEQUENCE_BYTES) {
            throw new CorruptRecordException("message key with identifier length " + length + " in "
                    + key.length + " bytes");
        }
        return length;
    }

    private static void putInt(byte[] target, int offset, int value) {
        for (int i = 0; i < 4; i++) {
            target[offset + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    private static void putLong(byte[] target, int offset, long value) {
        for (int i = 0; i < 8; i++) {
            target[offset + i] = (byte) (value >>> (56 - 8 * i));
        }
    }
}
