package io.corvid.broker.codec;

import io.corvid.broker.packet.MqttPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Feeds bytes to a decoder the way a transport does: into an accumulation buffer, decoding
 * whatever is complete after each read, compacting the rest. It checks the decoder's buffer
 * contract on every call and records what came out.
 */
public final class DecoderFeeder {

    /** What a stream of bytes decoded to: the packets in order, then possibly one error. */
    public record Outcome(List<MqttPacket> packets, DecodeResult.Error error) {
    }

    private DecoderFeeder() {
    }

    /**
     * Decodes packets from the buffer's position until it needs more bytes or reports an error,
     * asserting the position contract: moved past each packet, untouched on "need more".
     *
     * @return the packets, and the error if decoding stopped on one
     */
    public static Outcome decodeAvailable(MqttDecoder decoder, ByteBuffer in) {
        List<MqttPacket> packets = new ArrayList<>();
        while (true) {
            int before = in.position();
            DecodeResult result = decoder.decode(in);
            if (result instanceof DecodeResult.Decoded decoded) {
                if (in.position() <= before) {
                    throw new AssertionError("decoded " + decoded.packet() + " without moving the position");
                }
                packets.add(decoded.packet());
            } else if (result instanceof DecodeResult.NeedMoreBytes) {
                if (in.position() != before) {
                    throw new AssertionError("NeedMoreBytes moved the position from " + before + " to " + in.position());
                }
                return new Outcome(packets, null);
            } else if (result instanceof DecodeResult.Error error) {
                return new Outcome(packets, error);
            } else {
                throw new AssertionError("unknown result " + result);
            }
        }
    }

    /**
     * Feeds {@code bytes} in chunks of the given sizes (the last chunk takes what is left),
     * decoding after each chunk, and stops at the first error.
     */
    public static Outcome feed(MqttDecoder decoder, byte[] bytes, int[] chunkSizes) {
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length);
        buffer.flip(); // empty, ready to read
        List<MqttPacket> packets = new ArrayList<>();
        int offset = 0;
        int chunk = 0;
        while (offset < bytes.length) {
            int size = chunk < chunkSizes.length ? chunkSizes[chunk++] : bytes.length - offset;
            size = Math.max(1, Math.min(size, bytes.length - offset));
            buffer.compact();
            buffer.put(bytes, offset, size);
            buffer.flip();
            offset += size;
            Outcome step = decodeAvailable(decoder, buffer);
            packets.addAll(step.packets());
            if (step.error() != null) {
                return new Outcome(packets, step.error());
            }
        }
        return new Outcome(packets, null);
    }

    /** Feeds one byte at a time. */
    public static Outcome feedByteByByte(MqttDecoder decoder, byte[] bytes) {
        int[] ones = new int[bytes.length];
        Arrays.fill(ones, 1);
        return feed(decoder, bytes, ones);
    }

    /** Feeds in random chunks of 1 to {@code maxChunk} bytes. */
    public static Outcome feedRandomly(MqttDecoder decoder, byte[] bytes, Random random, int maxChunk) {
        List<Integer> sizes = new ArrayList<>();
        int total = 0;
        while (total < bytes.length) {
            int size = 1 + random.nextInt(maxChunk);
            sizes.add(size);
            total += size;
        }
        return feed(decoder, bytes, sizes.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Concatenates byte arrays. */
    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }
}
