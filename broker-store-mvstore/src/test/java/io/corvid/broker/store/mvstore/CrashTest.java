package io.corvid.broker.store.mvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.SessionStore.StoredMessage;
import io.corvid.broker.store.mvstore.StoreUnavailableException.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kills a JVM that writes to the store ({@code kill -9}, through {@link Process#destroyForcibly})
 * and checks that everything it reported durable is in the file.
 */
class CrashTest {
    @TempDir
    Path directory;

    @ParameterizedTest(name = "seed {0}, killed after {1} reports")
    @CsvSource({"1, 300", "2, 3000", "3, 12000"})
    void whatWasReportedDurableSurvivesKill9(long seed, int reportsBeforeKill) throws Exception {
        Process child = start("write", directory.toString(), Long.toString(seed));
        List<String> reports = Collections.synchronizedList(new ArrayList<>());
        Thread reader = readLines(child, reports);
        try {
            Await.until(reportsBeforeKill + " durable reports", Duration.ofSeconds(60),
                    () -> reports.size() >= reportsBeforeKill || !child.isAlive());
            assertTrue(child.isAlive(), () -> "the writer died by itself: " + stderr());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(reader.isAlive());

        Set<Long> saved = new HashSet<>();
        Set<Long> removed = new HashSet<>();
        for (String line : reports) {
            (line.startsWith("+") ? saved : removed).add(Long.parseLong(line.substring(1)));
        }
        assertTrue(saved.size() >= reportsBeforeKill / 2, "reports: " + reports.size());

        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            List<StoredMessage> messages = store.load().sessions().get(0).messages();
            Map<Long, StoredMessage> bySequence = messages.stream()
                    .collect(Collectors.toMap(StoredMessage::sequence, Function.identity()));
            // A removal may have been committed without its report being printed before the kill.
            Set<Long> removalsMade = removalsMade(seed, bySequence.keySet(), saved);
            for (long sequence : saved) {
                if (!removalsMade.contains(sequence)) {
                    StoredMessage message = bySequence.get(sequence);
                    assertTrue(message != null, "message " + sequence + " was reported durable but is missing");
                    Fixtures.assertMessage(Fixtures.queued(sequence, StoreChild.payloadSize(seed, sequence),
                            Fixtures.NEVER), message);
                }
            }
            for (long sequence : removed) {
                assertFalse(bySequence.containsKey(sequence), "removal of " + sequence + " was reported durable");
            }
            // Nothing in the file that was never written: every message is one the writer made.
            long highest = messages.isEmpty() ? 0 : messages.get(messages.size() - 1).sequence();
            assertTrue(highest >= saved.stream().mapToLong(Long::longValue).max().orElse(0));
            for (StoredMessage message : messages) {
                Fixtures.assertMessage(Fixtures.queued(message.sequence(),
                        StoreChild.payloadSize(seed, message.sequence()), Fixtures.NEVER), message);
            }
        }
    }

    /** The messages the writer set out to remove, replayed from its seed, up to the last one it wrote. */
    private static Set<Long> removalsMade(long seed, Set<Long> stored, Set<Long> reported) {
        long last = Math.max(stored.stream().mapToLong(Long::longValue).max().orElse(0),
                reported.stream().mapToLong(Long::longValue).max().orElse(0));
        Random random = new Random(seed);
        Set<Long> removals = new HashSet<>();
        for (long sequence = 1; sequence <= last + 10; sequence++) {
            if (StoreChild.removesEarlier(random, sequence)) {
                removals.add(sequence - 5);
            }
        }
        return removals;
    }

    @Test
    void aFileHeldByAnotherProcessIsRefused() throws Exception {
        Process child = start("hold", directory.toString());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = readLines(child, lines);
        try {
            Await.until("the other process to open the store", Duration.ofSeconds(60),
                    () -> lines.stream().anyMatch(line -> line.startsWith("open")) || !child.isAlive());
            assertTrue(child.isAlive(), () -> "the holder died: " + stderr());
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                    () -> MvStoreSessionStore.open(directory, Durability.OS));
            assertEquals(Reason.LOCKED, e.reason());
            assertTrue(e.getMessage().contains(e.file().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("Stop the other broker"), e.getMessage());
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(0, child.exitValue(), this::stderr);
        try (MvStoreSessionStore store = MvStoreSessionStore.open(directory, Durability.OS)) {
            assertEquals(0, store.load().sessions().size());
        }
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dlogback.configurationFile=logback-test.xml",
                "-cp", System.getProperty("java.class.path"),
                StoreChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectError(directory.resolve("child.err").toFile())
                .start();
    }

    private static Thread readLines(Process child, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The child was killed mid-line: what was read is what counts.
            }
        }, "child-stdout");
        reader.start();
        return reader;
    }

    private String stderr() {
        try {
            return Files.readString(directory.resolve("child.err"));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
