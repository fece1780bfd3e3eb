package io.lesionsearch.query;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Collects what the audit logger writes in this JVM (the MiniCluster's tasks run here too). */
final class AuditCapture extends AbstractAppender {
  final List<String> lines = new CopyOnWriteArrayList<>();

  private AuditCapture() {
    super("audit-capture", null, null, true, Property.EMPTY_ARRAY);
  }

  static AuditCapture install() {
    AuditCapture capture = new AuditCapture();
    capture.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    LoggerConfig logger = new LoggerConfig(AuditLog.LOGGER, Level.INFO, false);
    logger.addAppender(capture, Level.INFO, null);
    config.addLogger(AuditLog.LOGGER, logger);
    context.updateLoggers();
    return capture;
  }

  @Override
  public void append(LogEvent event) {
    lines.add(event.getMessage().getFormattedMessage());
  }
}
