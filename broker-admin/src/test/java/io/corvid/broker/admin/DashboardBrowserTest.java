package io.corvid.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.corvid.broker.Broker;
import io.corvid.broker.packet.QoS;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless chromium driven by Selenium through
 * chromedriver. Skipped, saying so, where neither is installed ({@code .ci/run} installs them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    private static final List<Path> CHROMIUM = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "browser-test-token";
    /** Where the screenshot for docs/operations.md is written. */
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png");

    private Broker broker;
    private AdminServer open;
    private AdminServer protectedServer;
    private ChromeDriverService driverService;
    private WebDriver browser;

    @BeforeAll
    void start(@TempDir Path browserProfile) {
        Path chromium = CHROMIUM.stream().filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(chromium != null && Files.isExecutable(CHROMEDRIVER),
                "skipped: no headless browser for the dashboard test; it needs Debian's chromium and chromium-driver "
                        + "(" + CHROMIUM.get(0) + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver, "
                        + "as .ci/run does");
        broker = new Broker.Builder().host("127.0.0.1").port(0).build().start();
        open = AdminServer.builder(broker).port(0).build().start();
        protectedServer = AdminServer.builder(broker).port(0).token(TOKEN).build().start();
        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1300", "--user-data-dir=" + browserProfile);
        browser = new ChromeDriver(driverService, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (driverService != null) {
            driverService.stop();
        }
        if (protectedServer != null) {
            protectedServer.stop();
        }
        if (open != null) {
            open.stop();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Await.TIMEOUT);
    }

    private void awaitLive() {
        waiting().until(ExpectedConditions.textToBe(By.id("status"), "live"));
    }

    @Test
    void theDashboardShowsAClientThatConnectsAndDisconnectsItThroughTheButton() throws IOException {
        browser.get(open.url());
        awaitLive();
        By row = By.cssSelector("tr[data-client-id='dashboard-victim']");
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            // Traffic for the chart while the test waits for it: paced by a blocking wait, not a sleep in the test.
            while (publishing.get()) {
                broker.publish("dashboard/traffic", "x".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, false);
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }, "dashboard-traffic");
        try (PahoClient victim = PahoClient.connect(broker.port(), "dashboard-victim", 30, 0)) {
            victim.subscribe("dashboard/#", 0);
            traffic.start();
            broker.publish("dashboard/retained/state", "on".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE, true);
            waiting().until(ExpectedConditions.presenceOfElementLocated(row));
            assertEquals("MQTT 5.0", browser.findElement(row).findElements(By.tagName("td")).get(2).getText());
            waiting().until(driver -> !driver.findElement(By.id("rate-received")).getText().matches("–|0\\.0/s"));
            // A few points of the chart, for the screenshot in docs/operations.md.
            waiting().until(driver -> Integer.parseInt(
                    driver.findElement(By.id("rate-chart")).getDomAttribute("data-samples")) >= 3);
            waiting().until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("tr[data-topic='dashboard/retained/state']")));
            saveScreenshot();
            publishing.set(false);

            browser.findElement(row).findElement(By.cssSelector("button.disconnect")).click();
            MqttDisconnectResponse goodbye = Await.result("the client disconnected by the button", victim.disconnected);
            assertEquals(0x98, goodbye.getReturnCode(), "DISCONNECT 0x98 Administrative action");
            waiting().until(ExpectedConditions.numberOfElementsToBe(row, 0));
            assertFalse(victim.isConnected());
        } finally {
            publishing.set(false);
            if (traffic.isAlive()) {
                Await.until("the traffic thread ends", () -> !traffic.isAlive());
            }
        }
    }

    @Test
    void aRetainedMessageIsDeletedThroughItsButton() {
        broker.publish("dashboard/to delete", "bye".getBytes(StandardCharsets.UTF_8), QoS.AT_MOST_ONCE, true);
        browser.get(open.url());
        awaitLive();
        By row = By.cssSelector("tr[data-topic='dashboard/to delete']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(row));
        assertEquals("bye", browser.findElement(row).findElement(By.cssSelector("td.payload")).getText());
        browser.findElement(row).findElement(By.cssSelector("button.delete-retained")).click();
        waiting().until(ExpectedConditions.numberOfElementsToBe(row, 0));
        assertTrue(broker.retained("dashboard/to delete").isEmpty());
    }

    @Test
    void withATokenConfiguredThePageAsksForItAndKeepsItForTheTab() {
        browser.get(protectedServer.url());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        assertEquals("token needed", browser.findElement(By.id("status")).getText());

        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.cssSelector("#token-form button")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("login-error"), "That token was not accepted."));

        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.cssSelector("#token-form button")).click();
        awaitLive();
        assertFalse(browser.findElement(By.id("login")).isDisplayed());
        assertEquals(TOKEN, ((JavascriptExecutor) browser).executeScript(
                "return sessionStorage.getItem('corvid-admin-token')"));

        browser.navigate().refresh();
        awaitLive(); // the tab keeps the token across a reload
        browser.findElement(By.id("forget-token")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
    }

    private void saveScreenshot() throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(shot.toPath());
    }
}
