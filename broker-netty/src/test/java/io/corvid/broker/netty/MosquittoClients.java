package io.corvid.broker.netty;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's mosquitto_pub and mosquitto_sub (package mosquitto-clients). A missing
 * program fails the test with a clear message: CI installs the package (.ci/run), and a test
 * that skips the client it claims to cover proves nothing.
 */
final class MosquittoClients {
    private static final long TIMEOUT_SECONDS = 20;

    private MosquittoClients() {
    }

    /** The path of a mosquitto client program; fails the test when it is not installed. */
    static String program(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return fail(name + " not found on PATH or in /usr/bin: install mosquitto-clients "
                + "(apt-get install mosquitto-clients; .ci/run does this in CI)");
    }

    /** A started program whose output goes to files, so that nothing blocks on a full pipe. */
    static final class Run implements AutoCloseable {
        private final Process process;
        private final Path stdout;
        private final Path stderr;
        private final List<String> command;

        Run(Path dir, List<String> command) throws IOException {
            this.command = command;
            this.stdout = Files.createTempFile(dir, "mosquitto", ".out");
            this.stderr = Files.createTempFile(dir, "mosquitto", ".err");
            this.process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        }

        /** Waits for the program to end with exit code 0 and returns its standard output. */
        String awaitSuccess() throws IOException, InterruptedException {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(command + " did not end within " + TIMEOUT_SECONDS + " s; stderr: " + read(stderr));
            }
            if (process.exitValue() != 0) {
                fail(command + " exited with " + process.exitValue() + "; stdout: " + read(stdout) + " stderr: "
                        + read(stderr));
            }
            return read(stdout);
        }

        /** Waits for the program to end and returns its exit code. */
        int awaitExit() throws InterruptedException {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(command + " did not end within " + TIMEOUT_SECONDS + " s");
            }
            return process.exitValue();
        }

        String stderr() throws IOException {
            return read(stderr);
        }

        private static String read(Path file) throws IOException {
            return Files.readString(file, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
