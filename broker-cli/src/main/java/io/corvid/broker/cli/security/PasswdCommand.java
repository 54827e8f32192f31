package io.corvid.broker.cli.security;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code passwd FILE USER}: adds USER to a Mosquitto-format password file or changes its
 * password; {@code passwd -D FILE USER} removes USER. The file is created when missing (readable
 * by its owner only). New hashes are always {@code $7$} (PBKDF2-SHA512, 101 iterations, random
 * salt), which Mosquitto 2 reads too.
 *
 * <p>The password is never an argument (other local users could read it from the process
 * list): it is asked twice on the terminal when there is one, else read as one line from
 * standard input, so that {@code echo secret | java -jar broker-cli.jar passwd users.txt alice}
 * works in scripts.
 *
 * <p>Exit codes: 0 done, 1 refused (bad user name, empty or mismatched password, unusable
 * file), 2 usage error (picocli's).
 */
@Command(name = "passwd", sortOptions = false,
        description = {"Add a user to a password file (Mosquitto format) or change its password; with -D, remove it.",
            "The password is asked on the terminal, or read as one line from standard input."})
public final class PasswdCommand implements Callable<Integer> {
    private static final int MAX_PASSWORD_BYTES = 65535;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The password file; created when missing.")
    Path file;

    @Parameters(index = "1", paramLabel = "USER", description = "The user name.")
    String user;

    @Option(names = {"-D", "--delete"}, description = "Remove USER from FILE instead.")
    boolean delete;

    private final InputStream in;
    private final Supplier<Console> console;

    /** Reads the password from the terminal when there is one, else from {@code System.in}. */
    public PasswdCommand() {
        this(System.in, System::console);
    }

    /** Reads the password as one line from {@code in}, never from a terminal. */
    public PasswdCommand(InputStream in) {
        this(in, () -> null);
    }

    private PasswdCommand(InputStream in, Supplier<Console> console) {
        this.in = Objects.requireNonNull(in, "in");
        this.console = console;
    }

    /** Runs the command; messages go to the command line's output and error writers. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            PasswordFile.checkUsername(user);
        } catch (IllegalArgumentException e) {
            err.println("Error: " + e.getMessage() + ".");
            return 1;
        }
        boolean exists = Files.exists(file);
        if (delete && !exists) {
            err.println("Error: " + file + " does not exist.");
            return 1;
        }
        try {
            PasswordFile passwords = exists ? PasswordFile.read(file) : PasswordFile.empty();
            if (delete) {
                if (!passwords.users().containsKey(user)) {
                    err.println("Error: user '" + user + "' is not in " + file + ".");
                    return 1;
                }
                passwords.withoutUser(user).write(file);
                out.println("Removed user '" + user + "' from " + file + ".");
                return 0;
            }
            byte[] password = readPassword();
            try {
                boolean changed = passwords.users().containsKey(user);
                passwords.withUser(user, PasswordHash.create(password)).write(file);
                out.println((changed ? "Changed the password of user '" : "Added user '") + user + "' to " + file + ".");
                return 0;
            } finally {
                Arrays.fill(password, (byte) 0);
            }
        } catch (RefusedPassword e) {
            err.println("Error: " + e.getMessage() + ".");
            return 1;
        } catch (SecurityFileException e) {
            err.println("Error: cannot edit " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Error: cannot " + (exists ? "update " : "create ") + file + ": " + e);
            return 1;
        }
    }

    /** The new password as UTF-8 bytes, checked: not empty, not too long, typed the same twice. */
    private byte[] readPassword() throws IOException, RefusedPassword {
        Console terminal = console.get();
        char[] password;
        if (terminal != null) {
            password = terminal.readPassword("Password: ");
            char[] again = password == null ? null : terminal.readPassword("Reenter password: ");
            if (password == null || again == null) {
                throw new RefusedPassword("no password given");
            }
            boolean same = Arrays.equals(password, again);
            Arrays.fill(again, '\0');
            if (!same) {
                Arrays.fill(password, '\0');
                throw new RefusedPassword("the passwords do not match");
            }
        } else {
            // Not closed: the stream belongs to the caller (System.in by default).
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new RefusedPassword("no password on standard input");
            }
            password = line.toCharArray();
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        Arrays.fill(password, '\0');
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Arrays.fill(encoded.array(), (byte) 0);
        if (bytes.length == 0) {
            throw new RefusedPassword("the password is empty");
        }
        if (bytes.length > MAX_PASSWORD_BYTES) {
            Arrays.fill(bytes, (byte) 0);
            throw new RefusedPassword("the password is longer than " + MAX_PASSWORD_BYTES + " bytes");
        }
        return bytes;
    }

    /** A password that cannot be used; the message says why. */
    private static final class RefusedPassword extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedPassword(String message) {
            super(message, null, false, false);
        }
    }
}
