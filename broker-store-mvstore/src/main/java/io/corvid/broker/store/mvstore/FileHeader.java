package io.corvid.broker.store.mvstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.h2.mvstore.DataUtils;

/**
 * Reads MVStore's file header (two copies in the first two 4 KiB blocks, a checksummed text map)
 * for one fact: the version a cleanly closed file was closed at. MVStore itself opens a file cut
 * short at the newest complete set of chunks it can find, even one many versions old; a crash
 * only ever tears the last commit, and a clean close leaves nothing to tear, so a cleanly closed
 * file that opens at an older version has lost committed data.
 */
final class FileHeader {
    private static final int BLOCK_SIZE = 4096;
    private static final String CHECKSUM_KEY = ",fletcher:";

    private FileHeader() {
    }

    /**
     * The version the file was closed at if its header carries MVStore's clean-shutdown mark;
     * -1 if it does not (the store was not closed cleanly) or no header copy is readable.
     */
    static long cleanShutdownVersion(Path file) throws IOException {
        byte[] blocks;
        try (InputStream in = Files.newInputStream(file)) {
            blocks = in.readNBytes(2 * BLOCK_SIZE);
        }
        Map<String, String> newest = null;
        long newestVersion = -1;
        for (int offset = 0; offset + BLOCK_SIZE <= blocks.length; offset += BLOCK_SIZE) {
            Map<String, String> header = parse(Arrays.copyOfRange(blocks, offset, offset + BLOCK_SIZE));
            long version = header == null ? -1 : hex(header.get("version"));
            if (version > newestVersion) {
                newest = header;
                newestVersion = version;
            }
        }
        return newest != null && hex(newest.get("clean")) > 0 ? newestVersion : -1;
    }

    /** The header's entries, or null if its checksum does not match. */
    private static Map<String, String> parse(byte[] block) {
        String text = new String(block, StandardCharsets.ISO_8859_1).trim();
        int checksumAt = text.lastIndexOf(CHECKSUM_KEY);
        if (checksumAt < 0) {
            return null;
        }
        try {
            byte[] covered = text.substring(0, checksumAt).getBytes(StandardCharsets.ISO_8859_1);
            int checksum = (int) Long.parseLong(text.substring(checksumAt + CHECKSUM_KEY.length()), 16);
            if (checksum != DataUtils.getFletcher32(covered, 0, covered.length)) {
                return null;
            }
            return DataUtils.parseMap(text.substring(0, checksumAt));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long hex(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
