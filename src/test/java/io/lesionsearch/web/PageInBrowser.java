package io.lesionsearch.web;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A web server and headless Chromium for a test class: {@code @RegisterExtension static final
 * PageInBrowser PAGE = new PageInBrowser(() -> WebServer.start(...))} starts both before its tests
 * and stops both after them. The server is made in beforeAll, so it may use extensions registered
 * above it (a deployment's client).
 */
final class PageInBrowser implements BeforeAllCallback, AfterAllCallback {

  private final Supplier<WebServer> startServer;
  private WebServer server;
  private ChromeDriver browser;

  PageInBrowser(Supplier<WebServer> startServer) {
    this.startServer = startServer;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = startServer.get();
    browser = Browser.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.stop();
    }
  }

  WebServer server() {
    return server;
  }

  ChromeDriver browser() {
    return browser;
  }

  /** Loads this class's page. */
  void open() {
    open(server);
  }

  /** Loads {@code target}'s page and waits until its script has filled in the filter choices. */
  void open(WebServer target) {
    browser.get(target.uri().toString());
    waitUntil(
        () -> !browser.findElements(By.cssSelector("input[name=dx_include]")).isEmpty(),
        "the filter choices");
  }

  void waitUntil(BooleanSupplier condition, String what) {
    new WebDriverWait(browser, Duration.ofSeconds(30))
        .withMessage("waiting for " + what)
        .until(d -> condition.getAsBoolean());
  }
}
