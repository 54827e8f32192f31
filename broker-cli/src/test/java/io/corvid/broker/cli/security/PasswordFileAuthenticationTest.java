package io.corvid.broker.cli.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.corvid.broker.AuthenticationResult;
import io.corvid.broker.packet.ReasonCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordFileAuthenticationTest {
    @TempDir
    Path directory;
    Path file;

    @BeforeEach
    void writeFile() throws IOException {
        file = directory.resolve("passwords");
        Files.writeString(file, "alice:" + PasswordHashTest.ALICE + "\nbob:" + PasswordHashTest.BOB + "\n");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
        "alice, secret, SUCCESS",
        "alice, wrong, BAD_USER_NAME_OR_PASSWORD",
        "alice, NULL, BAD_USER_NAME_OR_PASSWORD",
        "Alice, secret, BAD_USER_NAME_OR_PASSWORD",
        "bob, hunter2, SUCCESS",
        "bob, secret, BAD_USER_NAME_OR_PASSWORD",
        "mallory, secret, BAD_USER_NAME_OR_PASSWORD",
        "NULL, NULL, NOT_AUTHORIZED",
        "NULL, secret, NOT_AUTHORIZED",
    })
    void answersAsMosquittoDoesWithoutAnonymousAccess(String user, String password, ReasonCode expected) throws IOException {
        assertEquals(expected, new PasswordFileAuthentication(file, false).authenticate(Requests.connect(user, password)).reasonCode());
    }

    @Test
    void anonymousClientsMayComeInWhenAllowed() throws IOException {
        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, true);
        assertTrue(authentication.authenticate(Requests.connect(null, null)).isAllowed());
        assertEquals(AuthenticationResult.badCredentials().reasonCode(),
                authentication.authenticate(Requests.connect("alice", "wrong")).reasonCode(),
                "allowing anonymous clients does not let a wrong password in");
    }

    @Test
    void reloadPicksUpChangedUsers() throws IOException {
        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, false);
        PasswordFile.read(file).withoutUser("bob")
                .withUser("carol", PasswordHash.create("pw".getBytes(java.nio.charset.StandardCharsets.UTF_8))).write(file);
        assertEquals(2, authentication.reload());
        assertTrue(authentication.authenticate(Requests.connect("carol", "pw")).isAllowed());
        assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                authentication.authenticate(Requests.connect("bob", "hunter2")).reasonCode());
    }

    @Test
    void aBadFileOnReloadKeepsThePreviousUsers() throws IOException {
        PasswordFileAuthentication authentication = new PasswordFileAuthentication(file, false);
        Files.writeString(file, "alice:" + PasswordHashTest.ALICE + "\ncarol:plain-text\n");
        SecurityFileException e = assertThrows(SecurityFileException.class, authentication::reload);
        assertEquals(2, e.lineNumber());
        assertEquals(2, authentication.userCount());
        assertTrue(authentication.authenticate(Requests.connect("bob", "hunter2")).isAllowed());

        Files.delete(file);
        assertThrows(NoSuchFileException.class, authentication::reload);
        assertTrue(authentication.authenticate(Requests.connect("alice", "secret")).isAllowed());
    }

    @Test
    void aBadFileAtStartIsRefused() throws IOException {
        Files.writeString(file, "alice\n");
        assertThrows(SecurityFileException.class, () -> new PasswordFileAuthentication(file, true));
    }
}
