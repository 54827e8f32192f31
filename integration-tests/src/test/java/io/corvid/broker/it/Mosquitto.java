package io.corvid.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's mosquitto_pub and mosquitto_sub (package mosquitto-clients) against a test
 * broker. A missing program fails the test: CI installs the package (.ci/run), and a suite
 * that silently skips a client it claims to cover proves nothing.
 */
final class Mosquitto {
    /** mosquitto_sub output format: topic, QoS, retain flag and payload in hex, one line per message. */
    static final String FORMAT = "%t|%q|%r|%x";
    private static final long PROCESS_TIMEOUT_SECONDS = 20;

    private Mosquitto() {
    }

    /** The path of a mosquitto client program; fails the test when it is not installed. */
    static String program(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail(name + " not found on PATH or in /usr/bin: install mosquitto-clients "
                + "(sudo apt-get install mosquitto-clients; .ci/run does this in CI)");
    }

    /** What a finished program did. */
    record Result(int exitCode, String stdout, String stderr) {
        Result assertSuccess(String what) {
            if (exitCode != 0) {
                fail(what + " exited with " + exitCode + "; stdout: " + stdout + " stderr: " + stderr);
            }
            return this;
        }
    }

    /** Runs mosquitto_pub against the broker with the given arguments and waits for it to exit. */
    static Result pub(TestBroker broker, String... args) {
        return pubWithInput(broker, "", args);
    }

    /** Runs mosquitto_pub with {@code input} on its standard input (for -l and -s) and waits for it to exit. */
    static Result pubWithInput(TestBroker broker, String input, String... args) {
        Process process = start(command("mosquitto_pub", broker, args));
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(UTF_8));
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("cannot write to mosquitto_pub", e);
        }
        CompletableFuture<String> stdout = readAll(process.getInputStream());
        CompletableFuture<String> stderr = readAll(process.getErrorStream());
        try {
            if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("mosquitto_pub " + String.join(" ", args) + " did not exit within " + PROCESS_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new Result(process.exitValue(), Await.result("mosquitto_pub output", stdout),
                Await.result("mosquitto_pub errors", stderr));
    }

    /** Starts mosquitto_sub against the broker with the given arguments. */
    static Sub sub(TestBroker broker, String... args) {
        return new Sub(start(command("mosquitto_sub", broker, args)));
    }

    private static List<String> command(String program, TestBroker broker, String... args) {
        List<String> command = new ArrayList<>();
        command.add(program(program));
        command.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(broker.port())));
        command.addAll(List.of(args));
        return command;
    }

    private static Process start(List<String> command) {
        try {
            return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), UTF_8);
            } catch (IOException e) {
                return "<unreadable: " + e + ">";
            }
        });
    }

    /** Parses one line of {@link #FORMAT} output. */
    static Received parse(String line) {
        String[] parts = line.split("\\|", -1);
        if (parts.length != 4) {
            fail("unexpected mosquitto_sub output line: '" + line + "'");
        }
        return new Received(parts[0], HexFormat.of().parseHex(parts[3]), Integer.parseInt(parts[1]),
                "1".equals(parts[2]), false, 0);
    }

    /** A running mosquitto_sub: its output lines as they come, its exit code once it ends. */
    static final class Sub implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final CompletableFuture<String> stderr;
        private final CompletableFuture<Void> stdoutDone = new CompletableFuture<>();

        private Sub(Process process) {
            this.process = process;
            this.stderr = readAll(process.getErrorStream());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                } finally {
                    stdoutDone.complete(null);
                }
            }, "mosquitto_sub-reader-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the next line of output. */
        String nextLine() {
            String line = lines.poll();
            if (line != null) {
                return line;
            }
            try {
                line = lines.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (line == null) {
                fail("mosquitto_sub printed nothing within " + Await.TIMEOUT.toMillis() + " ms (alive: "
                        + process.isAlive() + ", stderr: " + (stderr.isDone() ? stderr.join() : "") + ")");
            }
            return line;
        }

        /** Waits for the next message, printed with {@link Mosquitto#FORMAT}. */
        Received next() {
            return parse(nextLine());
        }

        /** Waits for the process to exit and returns its exit code; everything it printed stays readable. */
        int awaitExit() {
            try {
                if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    fail("mosquitto_sub did not exit within " + PROCESS_TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            Await.result("mosquitto_sub output to end", stdoutDone);
            return process.exitValue();
        }

        /** The lines printed and not yet consumed. */
        List<String> remainingLines() {
            List<String> rest = new ArrayList<>();
            lines.drainTo(rest);
            return rest;
        }

        /** What it printed on standard error (after it exited). */
        String stderr() {
            return Await.result("mosquitto_sub errors", stderr);
        }

        /** Kills it with SIGKILL: its socket closes without DISCONNECT. */
        void kill() {
            process.destroyForcibly();
            awaitExit();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
