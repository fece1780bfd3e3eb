package io.lesionsearch.local;

import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sends java.util.logging records to log4j, so that log4j2.xml decides about them too: the Qdrant
 * client's shaded gRPC logs through JUL, whose own console handler would print each INFO line.
 */
final class JulBridge extends Handler implements AutoCloseable {

  private final Logger root = LogManager.getLogManager().getLogger("");
  private final List<Handler> replaced = List.of(root.getHandlers());
  private final Formatter messages = new SimpleFormatter();

  private JulBridge() {}

  /** Replaces the JUL root logger's handlers with the bridge until {@link #close}. */
  static JulBridge install() {
    JulBridge bridge = new JulBridge();
    bridge.replaced.forEach(bridge.root::removeHandler);
    bridge.root.addHandler(bridge);
    return bridge;
  }

  @Override
  public void publish(LogRecord record) {
    String name = record.getLoggerName() == null ? "" : record.getLoggerName();
    org.apache.logging.log4j.LogManager.getLogger(name)
        .log(level(record.getLevel()), messages.formatMessage(record), record.getThrown());
  }

  static org.apache.logging.log4j.Level level(Level level) {
    int value = level.intValue();
    if (value >= Level.SEVERE.intValue()) {
      return org.apache.logging.log4j.Level.ERROR;
    }
    if (value >= Level.WARNING.intValue()) {
      return org.apache.logging.log4j.Level.WARN;
    }
    if (value >= Level.INFO.intValue()) {
      return org.apache.logging.log4j.Level.INFO;
    }
    if (value >= Level.FINE.intValue()) {
      return org.apache.logging.log4j.Level.DEBUG;
    }
    return org.apache.logging.log4j.Level.TRACE;
  }

  @Override
  public void flush() {}

  /** Puts the replaced handlers back. */
  @Override
  public void close() {
    root.removeHandler(this);
    replaced.forEach(root::addHandler);
  }
}
