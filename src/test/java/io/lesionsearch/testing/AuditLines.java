package io.lesionsearch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.audit.AuditTrail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the audit trail writes in this JVM while a test class runs (the MiniCluster's tasks run here
 * too). Attaches to the audit logger's configuration and detaches afterwards, because log4j keeps
 * the first configuration added for a logger name: a second test class in the same JVM that added
 * its own would never see a line.
 */
public final class AuditLines implements BeforeAllCallback, AfterAllCallback {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Capture capture = new Capture("audit-lines-" + INSTANCES.incrementAndGet(), lines);

  @Override
  public void beforeAll(ExtensionContext context) {
    capture.start();
    LoggerContext logs = (LoggerContext) LogManager.getContext(false);
    Configuration config = logs.getConfiguration();
    LoggerConfig logger = config.getLoggers().get(AuditTrail.LOGGER);
    if (logger == null) {
      logger = new LoggerConfig(AuditTrail.LOGGER, Level.INFO, false);
      config.addLogger(AuditTrail.LOGGER, logger);
    }
    logger.setLevel(Level.INFO);
    logger.addAppender(capture, Level.INFO, null);
    logs.updateLoggers();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    LoggerContext logs = (LoggerContext) LogManager.getContext(false);
    LoggerConfig logger = logs.getConfiguration().getLoggers().get(AuditTrail.LOGGER);
    if (logger != null) {
      logger.removeAppender(capture.getName());
      logs.updateLoggers();
    }
    capture.stop();
  }

  /** Every line so far, oldest first. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines so far whose {@code action} is this one, parsed. */
  public List<JsonNode> of(String action) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines) {
      try {
        JsonNode json = JSON.readTree(line);
        if (action.equals(json.path("action").asText())) {
          out.add(json);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("an audit line that is not JSON: " + line, e);
      }
    }
    return out;
  }

  private static final class Capture extends AbstractAppender {
    private final List<String> lines;

    Capture(String name, List<String> lines) {
      super(name, null, null, true, Property.EMPTY_ARRAY);
      this.lines = lines;
    }

    @Override
    public void append(LogEvent event) {
      lines.add(event.getMessage().getFormattedMessage());
    }
  }
}
