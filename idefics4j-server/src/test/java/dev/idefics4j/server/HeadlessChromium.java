package dev.idefics4j.server;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's Chromium and its driver, headless, for the page tests. The driver is named explicitly so that Selenium
 * never tries to download one (this machine reaches no browser vendor). Missing programs skip the tests on a
 * developer's machine, but fail them in CI, whose script installs both.
 */
final class HeadlessChromium {
    static final Path BROWSER = Path.of(System.getenv().getOrDefault("IDEFICS4J_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("IDEFICS4J_CHROMEDRIVER", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    static ChromeDriver start() {
        boolean present = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        String missing = BROWSER + " and " + DRIVER + " are needed for the browser tests (Debian: apt-get install "
                + "chromium chromium-driver; .ci/run installs them)";
        if (System.getenv("CI") != null && !present) {
            throw new IllegalStateException(missing);
        }
        Assumptions.assumeTrue(present, missing);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run", "--window-size=1100,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
