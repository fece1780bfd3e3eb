package io.lesionsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lesionsearch.query.AuditLog;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped log4j2.xml, loaded on its own: the messages it drops as noise are dropped, and the
 * same loggers' other warnings and the audit trail still come through.
 */
class LogConfigurationTest {

  private static final Capture CAPTURED = new Capture();
  private static LoggerContext context;

  @BeforeAll
  static void load() {
    context =
        new LoggerContext(
            "log-configuration-test", null, Path.of("src/main/resources/log4j2.xml").toUri());
    context.start();
    CAPTURED.start();
    // In place of the console, so that what comes through is checked rather than printed.
    context.getConfiguration().getRootLogger().removeAppender("stderr");
    context.getConfiguration().getRootLogger().addAppender(CAPTURED, null, null);
    context.updateLoggers();
  }

  @AfterAll
  static void stop() {
    context.stop();
  }

  @BeforeEach
  void clear() {
    CAPTURED.messages.clear();
  }

  @Test
  void dropsTheNoiseOfANormalLocalRun() {
    warn(
        "org.apache.kafka.controller.QuorumController",
        "[QuorumController id=0] Performing controller activation. "
            + "The metadata log appears to be empty. Appending 6 bootstrap record(s) in metadata transaction");
    warn(
        "org.apache.kafka.clients.NetworkClient",
        "[NodeToControllerChannelManager id=0 name=registration] "
            + "Attempting to close NetworkClient that has already been closed.");
    warn(
        "org.apache.flink.runtime.metrics.util.MetricUtils",
        "The operator name Source: kafka lesion-search-requests "
            + "-> parse -> (search, kafka lesion-search-requests-dlq: Writer) exceeded the 80 characters length limit "
            + "and was truncated.");
    warn(
        "org.apache.pekko.actor.CoordinatedShutdown",
        "Could not addJvmShutdownHook, due to: Shutdown in progress");
    context.getLogger("org.apache.pekko.event.slf4j.Slf4jLogger").info("Slf4jLogger started");
    assertEquals(List.of(), CAPTURED.messages);
  }

  @Test
  void keepsTheSameLoggersOtherWarnings() {
    List<String> loggers =
        List.of(
            "org.apache.kafka.controller.QuorumController",
            "org.apache.kafka.clients.NetworkClient",
            "org.apache.flink.runtime.metrics.util.MetricUtils",
            "org.apache.pekko.actor.CoordinatedShutdown");
    loggers.forEach(name -> warn(name, "something else from " + name));
    assertEquals(
        loggers.stream().map(name -> "something else from " + name).toList(), CAPTURED.messages);
  }

  @Test
  void logsTheAuditTrailAtInfo() {
    context.getLogger(AuditLog.LOGGER).info("{\"request_id\":\"r1\"}");
    assertEquals(List.of("{\"request_id\":\"r1\"}"), CAPTURED.messages);
  }

  private static void warn(String logger, String message) {
    context.getLogger(logger).warn(message);
  }

  private static final class Capture extends AbstractAppender {
    final List<String> messages = new CopyOnWriteArrayList<>();

    Capture() {
      super("capture", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      messages.add(event.getMessage().getFormattedMessage());
    }
  }
}
