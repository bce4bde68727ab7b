package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.testsupport.HeadlessChromium;
import io.tollgate.testsupport.SourceAddressHttp.Response;
import io.tollgate.testsupport.Teardown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14's acceptance in a real browser (Debian's headless Chromium) against the real stack
 * (control plane, Envoy, rate-limit service, nginx mock): an operator creates a per-IP rule in the
 * console, sees it enforced and counted, finds a 429 by its request id, shadows the rule, restores
 * the first version, meets another operator's edit (412), and watches every node acknowledge each
 * change; the charts carry data and readable axis labels, at desktop and phone width. Screenshots
 * go to {@code e2e/target/screenshots/} and are copied to {@code docs/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserIT {

  private static final String RULE = "console-per-ip";
  private static final String CLIENT = "127.0.0.9";
  private static final String PATH = "/categories/MLA1051";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final Path DOCS = Path.of("..", "docs", "screenshots");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Teardown started = new Teardown();
  private LimitsStack stack;
  private HeadlessChromium browser;
  private WebDriver page;

  @BeforeAll
  void start() {
    Assumptions.assumeTrue(
        HeadlessChromium.missing().isEmpty(),
        () -> "ConsoleBrowserIT skipped: " + HeadlessChromium.missing().orElse(""));
    stack = started.add(LimitsStack.start(new LimitsStack.Variant(false, false, false)));
    browser = started.add(HeadlessChromium.start());
    page = browser.driver();
  }

  @AfterAll
  void stop() {
    started.close();
  }

  @Test
  void anOperatorManagesALimitFromTheConsole() {
    stack.writeConfig(
        "limits:\n  - { name: from-file, match: { pathPrefix: /sites/ }, by: [ip],"
            + " limit: { requests: 100, per: minute } }\n");
    page.get(stack.gateway().controlPlane().baseUrl() + "/");
    eventually("the console's first refresh", () -> text("updated").startsWith("updated"));

    // A rule of tollgate.yaml is read-only here, saying why.
    By fileRow = By.cssSelector("#rules tr[data-rule='from-file']");
    eventually("the file's rule", () -> !page.findElements(fileRow).isEmpty());
    WebElement fromFile = page.findElement(fileRow);
    assertThat(fromFile.getText()).contains("file", "read-only");
    assertThat(fromFile.findElements(By.xpath(".//button[text()='edit']"))).isEmpty();
    assertThat(fromFile.findElement(By.cssSelector("[title]")).getDomAttribute("title"))
        .contains("tollgate.yaml", "409");

    // A bad value is shown at the field the API's problem names.
    click("rule-new");
    fill("name", RULE);
    new Select(formField("matchKind")).selectByValue("pathPrefix");
    fill("matchValue", "/categories/");
    fill("by", "ip");
    fill("requests", "-1");
    click("rule-save");
    eventually(
        "the error at limit.requests", () -> !errorsAt("rule-form", "limit.requests").isEmpty());
    assertThat(errorsAt("rule-form", "limit.requests").get(0).getText()).contains("between 0");

    fill("requests", "3");
    click("rule-save");
    eventually("the new rule's row", () -> ruleRow() != null);
    assertThat(ruleRow().getText()).contains("3/minute", "rest", "enforce");
    awaitFleetAcknowledged();

    // Enforced through Envoy: three pass, then 429s, each answer carrying its x-request-id.
    LimitsSuite.awaitFreshMinuteIfNearItsEnd();
    List<Response> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(stack.get(CLIENT, PATH));
    }
    assertThat(answers).extracting(Response::status).containsExactly(200, 200, 200, 429, 429);
    assertThat(answers).allSatisfy(r -> assertThat(r.header("x-request-id")).isPresent());
    String blockedId = answers.get(3).header("x-request-id").orElseThrow();

    // Its row: five hits (every call it counted, under or over its limit), two of them 429s.
    eventually(
        "the rule's hits and 429s in its row",
        () -> cell(RULE, 6).equals("5 / 5") && cell(RULE, 7).equals("2 / 2"));

    // Why was this call limited? Bad input first, then the 429's request id.
    WebElement lookup = page.findElement(By.id("lookup-form"));
    lookup.findElement(By.name("requestId")).sendKeys("not an id");
    click("lookup-go");
    eventually("the error at requestId", () -> !errorsAt("lookup-form", "requestId").isEmpty());
    lookup.findElement(By.name("requestId")).clear();
    lookup.findElement(By.name("requestId")).sendKeys(blockedId);
    click("lookup-go");
    eventually(
        "the blocked call found by its request id",
        () -> text("lookup-result").contains(blockedId));
    assertThat(text("lookup-result")).contains(RULE, PATH, "GET", CLIENT, "3/minute");
    shot("console-lookup", "lookup");

    // Shadow: the calls pass, and count as shadow hits.
    ruleRow().findElement(By.cssSelector("button[data-action=mode]")).click();
    eventually("the rule in shadow mode", () -> cell(RULE, 5).equals("shadow"));
    awaitFleetAcknowledged();
    for (int i = 0; i < 3; i++) {
      assertThat(stack.get(CLIENT, PATH).status()).as("shadowed call %d", i).isEqualTo(200);
    }
    eventually(
        "the rule's shadow hits in its row, the shadowed calls among its hits",
        () -> !cell(RULE, 8).startsWith("0 /") && cell(RULE, 6).endsWith("/ 8"));

    // Another operator changes the rule while this one edits it: the 412 and their version.
    ruleRow().findElement(By.xpath(".//button[text()='edit']")).click();
    stack.replace(
        RULE,
        """
        {"name":"console-per-ip","match":{"pathPrefix":"/categories/"},"by":["ip"],
         "limit":{"requests":7,"per":"minute"},"mode":"shadow","enabled":true}""");
    fill("requests", "4");
    click("rule-save");
    eventually(
        "the concurrent edit's 412", () -> page.findElement(By.id("conflict")).isDisplayed());
    assertThat(text("conflict")).contains("412", "\"requests\": 7");
    shot("console-conflict", "limits");
    click("rule-cancel");

    // Restore the first version (enforce, 3/minute) from the rule's history.
    ruleRow().findElement(By.xpath(".//button[text()='history']")).click();
    By revisions = By.cssSelector("#history-table tr[data-revision]");
    eventually("the rule's three revisions", () -> page.findElements(revisions).size() >= 3);
    List<WebElement> history = page.findElements(revisions);
    WebElement first = history.get(history.size() - 1);
    assertThat(first.getText()).contains("created", "3/minute", "enforce");
    first.findElement(By.tagName("button")).click();
    eventually(
        "the restored rule",
        () -> cell(RULE, 5).equals("enforce") && cell(RULE, 1).equals("3/minute"));
    awaitFleetAcknowledged();
    // The shadowed calls were counted: over the restored 3/minute at once, unless a new minute
    // began meanwhile, then within four calls.
    List<Integer> restored = new ArrayList<>();
    for (int i = 0; i < 4 && !restored.contains(429); i++) {
      restored.add(stack.get(CLIENT, PATH).status());
    }
    assertThat(restored).as("calls over the restored limit").contains(429);
    shot("console-limits", "limits");

    // The charts: data, and axis labels that tell their ticks apart at a low rate.
    new Select(page.findElement(By.id("range"))).selectByValue("15");
    eventually("chart data", () -> Integer.parseInt(attr("rps-chart", "data-points", "0")) > 0);
    String[] labels = attr("rps-chart", "data-y-labels", "").split("\\|");
    assertThat(labels).hasSizeGreaterThan(1).doesNotHaveDuplicates();
    assertThat(Arrays.stream(labels).mapToDouble(Double::parseDouble).max().orElse(0)).isPositive();
    assertThat(Integer.parseInt(attr("latency-chart", "data-points", "0"))).isPositive();
    assertThat(attr("latency-chart", "data-y-labels", "").split("\\|")).doesNotHaveDuplicates();
    shot("console-traffic", "traffic");
    shot("console-fleet", "fleet-section");

    // Phone width: nothing wider than the screen but the tables' own scroll boxes.
    browser.resize(390, 844);
    eventually(
        "the phone layout",
        () ->
            ((Number)
                        ((JavascriptExecutor) page)
                            .executeScript(
                                "return document.documentElement.scrollWidth"
                                    + " - document.documentElement.clientWidth"))
                    .longValue()
                <= 0);
    shot("console-phone", "limits");
  }

  /** Polls {@code condition} (a re-rendered table may hand out stale elements meanwhile). */
  private static void eventually(String what, Callable<Boolean> condition) {
    await(what)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(condition);
  }

  /** Until every connected node applied the newest rules version (and at least two are there). */
  private void awaitFleetAcknowledged() {
    long version =
        JSON.readTree(stack.rest("GET", "/api/v1/limits", null, null).body())
            .path("version")
            .asLong();
    eventually(
        "every node to acknowledge rules version " + version,
        () -> {
          WebElement banner = page.findElement(By.id("fleet-state"));
          List<WebElement> nodes = page.findElements(By.cssSelector("#fleet tr[data-node]"));
          return Long.parseLong(attr("fleet-state", "data-version", "0")) >= version
              && "0".equals(banner.getDomAttribute("data-behind"))
              && nodes.size() >= 2
              && nodes.stream().allMatch(n -> "true".equals(n.getDomAttribute("data-up-to-date")));
        });
    assertThat(text("fleet")).contains("envoy", "ratelimit");
  }

  private WebElement ruleRow() {
    List<WebElement> rows =
        page.findElements(By.cssSelector("#rules tr[data-rule='" + RULE + "']"));
    return rows.isEmpty() ? null : rows.get(0);
  }

  private String cell(String rule, int index) {
    WebElement row = ruleRow();
    return row == null ? "" : row.findElements(By.tagName("td")).get(index).getText().trim();
  }

  private List<WebElement> errorsAt(String formId, String field) {
    return page.findElements(
        By.cssSelector("#" + formId + " [data-field~='" + field + "'] .field-error"));
  }

  private WebElement formField(String name) {
    return page.findElement(By.id("rule-form")).findElement(By.name(name));
  }

  private void fill(String name, String value) {
    WebElement input = formField(name);
    input.clear();
    input.sendKeys(value);
  }

  private void click(String id) {
    page.findElement(By.id(id)).click();
  }

  private String text(String id) {
    return page.findElement(By.id(id)).getText();
  }

  private String attr(String id, String name, String fallback) {
    String v = page.findElement(By.id(id)).getDomAttribute(name);
    return v == null ? fallback : v;
  }

  /** Scrolls to {@code sectionId}, saves the window, and copies the picture for the README. */
  private void shot(String name, String sectionId) {
    ((JavascriptExecutor) page)
        .executeScript("document.getElementById(arguments[0]).scrollIntoView()", sectionId);
    Path saved = browser.screenshot(SHOTS, name);
    try {
      Files.createDirectories(DOCS);
      Files.copy(saved, DOCS.resolve(saved.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + saved + " to " + DOCS, e);
    }
  }
}
