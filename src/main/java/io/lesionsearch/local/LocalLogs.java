package io.lesionsearch.local;

import io.lesionsearch.query.AuditLog;
import java.nio.file.Path;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Where the local mode's logs go while it runs, so that its console holds progress, addresses and
 * results: the log (INFO and above, as configured) goes to a file, the console keeps WARN and
 * above, and the query job's audit trail, one JSON line per reply, goes to a file of its own.
 * Closing restores the configuration from the log4j2 file.
 */
public final class LocalLogs implements AutoCloseable {

  static final String LOG_FILE = "lesion-search.log";
  static final String AUDIT_FILE = "audit.jsonl";
  private static final String LOG_PATTERN = "%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n";

  /** Where Flink's launch scripts name the log, and where its web UI looks for the JobManager's. */
  private static final String FLINK_LOG_FILE = "log.file";

  private final LoggerContext context;
  private final JulBridge jul;
  private final Path log;
  private final Path audit;
  private final String flinkLogFile;

  private LocalLogs(
      LoggerContext context, JulBridge jul, Path log, Path audit, String flinkLogFile) {
    this.context = context;
    this.jul = jul;
    this.log = log;
    this.audit = audit;
    this.flinkLogFile = flinkLogFile;
  }

  /** Redirects the logs into {@code directory} (created by the caller) until {@link #close}. */
  public static LocalLogs into(Path directory) {
    Path log = directory.resolve(LOG_FILE).toAbsolutePath();
    Path audit = directory.resolve(AUDIT_FILE).toAbsolutePath();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();

    LoggerConfig root = config.getRootLogger();
    Map<String, Appender> consoles = Map.copyOf(root.getAppenders());
    consoles.keySet().forEach(root::removeAppender);
    consoles.values().forEach(console -> root.addAppender(console, Level.WARN, null));
    root.addAppender(fileAppender(config, "local-log", log, LOG_PATTERN), null, null);

    // Its own logger config even where the file has none (tests log WARN and above only).
    LoggerConfig trail = new LoggerConfig(AuditLog.LOGGER, Level.INFO, false);
    trail.addAppender(fileAppender(config, "local-audit", audit, "%msg%n"), null, null);
    config.removeLogger(AuditLog.LOGGER);
    config.addLogger(AuditLog.LOGGER, trail);

    context.updateLoggers();
    // Without it Flink warns at every start that its web UI has no log to show.
    String flinkLogFile = System.setProperty(FLINK_LOG_FILE, log.toString());
    return new LocalLogs(context, JulBridge.install(), log, audit, flinkLogFile);
  }

  private static Appender fileAppender(
      Configuration config, String name, Path file, String pattern) {
    FileAppender appender =
        FileAppender.newBuilder()
            .setName(name)
            .withFileName(file.toString())
            .setLayout(
                PatternLayout.newBuilder().withConfiguration(config).withPattern(pattern).build())
            .setConfiguration(config)
            .build();
    appender.start();
    config.addAppender(appender);
    return appender;
  }

  /** Everything logged at INFO and above (as configured per logger), warnings included. */
  public Path log() {
    return log;
  }

  /** The query job's audit trail: one JSON line per reply. */
  public Path audit() {
    return audit;
  }

  @Override
  public void close() {
    if (flinkLogFile == null) {
      System.clearProperty(FLINK_LOG_FILE);
    } else {
      System.setProperty(FLINK_LOG_FILE, flinkLogFile);
    }
    jul.close();
    // Reloading the configuration stops and flushes the two file appenders.
    context.reconfigure();
  }
}
