package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.SessionStore.StoredSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Test
    void sessionRoundTrip() {
        for (StoredSession session : List.of(Fixtures.fullSession("alpha"), Fixtures.plainSession("béta"),
                Fixtures.session("gamma", 0, 1, null))) {
            byte[] key = Keys.text(session.clientId());
            Fixtures.assertSession(session, RecordCodec.decodeSession(key, RecordCodec.encodeSession(key, session)));
        }
    }

    @Test
    void messageRoundTrip() {
        for (StoredMessage message : List.of(Fixtures.inFlight(1), Fixtures.released(Long.MAX_VALUE),
                Fixtures.queued(0, 0, Long.MIN_VALUE), Fixtures.retained("r/ü", null, 5))) {
            byte[] key = Keys.message("client", message.sequence());
            Fixtures.assertMessage(message, RecordCodec.decodeMessage(key, RecordCodec.encodeMessage(key, message)));
            assertEquals(message.expiresAtMillis(),
                    RecordCodec.messageExpiresAtMillis(key, RecordCodec.encodeMessage(key, message)));
        }
    }

    @Test
    void recordsStartWithTheirVersion() {
        byte[] key = Keys.text("alpha");
        assertEquals(RecordCodec.SESSION_VERSION, RecordCodec.encodeSession(key, Fixtures.fullSession("alpha"))[0]);
        assertEquals(RecordCodec.MESSAGE_VERSION, RecordCodec.encodeMessage(key, Fixtures.inFlight(3))[0]);
    }

    @Test
    void everyFlippedBitIsFoundOut() {
        byte[] key = Keys.message("client", 9);
        byte[] record = RecordCodec.encodeMessage(key, Fixtures.inFlight(9));
        for (int i = 0; i < record.length * 8; i++) {
            byte[] damaged = record.clone();
            damaged[i / 8] ^= (byte) (1 << (i % 8));
            assertThrows(CorruptRecordException.class, () -> RecordCodec.decodeMessage(key, damaged), "bit " + i);
        }
    }

    @Test
    void aRecordUnderAnotherKeyIsFoundOut() {
        byte[] record = RecordCodec.encodeSession(Keys.text("alpha"), Fixtures.fullSession("alpha"));
        assertThrows(CorruptRecordException.class, () -> RecordCodec.decodeSession(Keys.text("alphb"), record));
    }

    @Test
    void anUnknownRecordVersionIsRefused() {
        byte[] key = Keys.text("alpha");
        RecordWriter writer = new RecordWriter(8).writeByte(RecordCodec.SESSION_VERSION + 1).writeLong(0);
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordCodec.decodeSession(key, writer.seal(key)));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void lengthsBeyondTheRecordAreRefused() {
        byte[] key = Keys.text("k");
        byte[] record = new RecordWriter(8).writeVarInt(Integer.MAX_VALUE).seal(key);
        assertThrows(CorruptRecordException.class, () -> RecordReader.open(key, record).readBytes());
        byte[] overlong = new RecordWriter(16).writeLong(-1).writeLong(-1).seal(key);
        assertThrows(CorruptRecordException.class, () -> RecordReader.open(key, overlong).readVarLong());
    }

    @Test
    void variableLengthIntegersRoundTrip() {
        long[] values = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, 0xFFFF_FFFFL, Long.MAX_VALUE, -1,
                Long.MIN_VALUE};
        RecordWriter writer = new RecordWriter(4);
        for (long value : values) {
            writer.writeVarLong(value);
        }
        RecordReader reader = RecordReader.open(new byte[0], writer.seal(new byte[0]));
        for (long value : values) {
            assertEquals(value, reader.readVarLong());
        }
        reader.expectEnd();
    }

    @Test
    void messageKeysKeepEachClientTogetherInSequenceOrder() {
        List<byte[]> keys = new ArrayList<>();
        for (String client : List.of("a", "ab", "b", "", "é")) {
            for (long sequence : new long[] {Long.MIN_VALUE, -1, 0, 1, 255, 256, Long.MAX_VALUE}) {
                keys.add(Keys.message(client, sequence));
            }
        }
        keys.sort(BytesType.INSTANCE);
        for (int i = 1; i < keys.size(); i++) {
            byte[] previous = keys.get(i - 1);
            byte[] key = keys.get(i);
            if (Keys.messageClientId(previous).equals(Keys.messageClientId(key))) {
                assertTrue(Keys.messageSequence(previous) < Keys.messageSequence(key));
                assertTrue(Keys.sameClient(previous, key));
            } else {
                // Once a client's keys end, none of them comes back.
                String done = Keys.messageClientId(previous);
                assertTrue(keys.subList(i, keys.size()).stream().noneMatch(k -> Keys.messageClientId(k).equals(done)));
            }
        }
        assertEquals(Long.MIN_VALUE, Keys.messageSequence(Keys.message("x", Long.MIN_VALUE)));
        assertEquals("é", Keys.messageClientId(Keys.message("é", 5)));
    }
}
