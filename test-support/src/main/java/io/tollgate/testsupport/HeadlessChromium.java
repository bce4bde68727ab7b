package io.tollgate.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium}, headless, driven through {@code chromium-driver} (Selenium), never a
 * browser Selenium would download. {@link #close()} quits the browser and stops the driver, also
 * after a failed test.
 */
public final class HeadlessChromium implements AutoCloseable {

  private static final List<Path> BROWSERS =
      List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"));
  private static final List<Path> DRIVERS = List.of(Path.of("/usr/bin/chromedriver"));

  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  /** Why the browser cannot run here (empty when both packages are installed). */
  public static Optional<String> missing() {
    if (find(BROWSERS).isEmpty() || find(DRIVERS).isEmpty()) {
      return Optional.of(
          "Debian's chromium and chromium-driver are not installed (scripts/deps.sh test"
              + " installs them)");
    }
    return Optional.empty();
  }

  /** Starts the browser with a desktop-sized window. */
  public static HeadlessChromium start() {
    Path browser = find(BROWSERS).orElseThrow(() -> new IllegalStateException(missing().get()));
    Path driverBinary = find(DRIVERS).orElseThrow(() -> new IllegalStateException(missing().get()));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driverBinary.toFile())
            .usingAnyFreePort()
            .withLogFile(new File(Scratch.create("chromedriver").toFile(), "chromedriver.log"))
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    // --no-sandbox: tests run as root here, where Chromium refuses its sandbox.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        "--user-data-dir=" + Scratch.create("chromium-profile"));
    try {
      service.start();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
      return new HeadlessChromium(service, driver);
    } catch (IOException e) {
      service.stop();
      throw new UncheckedIOException("cannot start chromedriver", e);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /** Resizes the window, e.g. to a phone's 390 x 844 CSS pixels. */
  public void resize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Saves a screenshot of the window as {@code dir/name.png} and returns its path. */
  public Path screenshot(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(name + ".png");
      Files.copy(
          driver.getScreenshotAs(OutputType.FILE).toPath(),
          target,
          StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save screenshot " + name, e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }

  private static Optional<Path> find(List<Path> candidates) {
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }
}
