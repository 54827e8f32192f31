package io.corvid.broker.cli.security;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading the security files as text, with one message for a file that is not UTF-8. */
final class TextFiles {
    private TextFiles() {
    }

    /**
     * The lines of {@code file}, read as UTF-8.
     *
     * @throws SecurityFileException when the file is not UTF-8 text
     * @throws IOException           when it cannot be read
     */
    static List<String> readUtf8Lines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new SecurityFileException(file, 0, "not UTF-8 text");
        }
    }
}
