package io.lesionsearch.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.query.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local mode's log files: the audit trail apart, warnings kept, JUL included, all undone on
 * close.
 */
class LocalLogsTest {

  @TempDir Path dir;

  /**
   * The levels in force are those of the log configuration (Flink's test jar brings one that turns
   * the root logger off); these tests' loggers say for themselves. Closing LocalLogs drops this.
   */
  private static void warnings(String logger) {
    Configurator.setLevel(logger, Level.WARN);
  }

  @Test
  void auditTrailGoesToItsOwnFileAndWarningsToTheLog() throws Exception {
    try (LocalLogs logs = LocalLogs.into(dir)) {
      warnings(LocalLogsTest.class.getName());
      LogManager.getLogger(AuditLog.LOGGER).info("{\"request_id\":\"r1\"}");
      LogManager.getLogger(LocalLogsTest.class).warn("something is wrong");
    }
    assertEquals(
        List.of("{\"request_id\":\"r1\"}"), Files.readAllLines(dir.resolve(LocalLogs.AUDIT_FILE)));
    String log = Files.readString(dir.resolve(LocalLogs.LOG_FILE));
    assertTrue(log.contains("WARN  LocalLogsTest - something is wrong"), log);
    assertFalse(log.contains("request_id"), log);
  }

  @Test
  void javaUtilLoggingGoesThroughLog4j() throws Exception {
    java.util.logging.Logger jul =
        java.util.logging.Logger.getLogger("io.lesionsearch.local.jul-test");
    try (LocalLogs logs = LocalLogs.into(dir)) {
      warnings(jul.getName());
      jul.log(java.util.logging.Level.WARNING, "from {0}", "JUL");
    }
    assertTrue(
        Files.readString(dir.resolve(LocalLogs.LOG_FILE)).contains("WARN  jul-test - from JUL"));
  }

  @Test
  void closingPutsTheConfigurationBack() {
    java.util.logging.Logger julRoot = java.util.logging.LogManager.getLogManager().getLogger("");
    List<java.util.logging.Handler> julHandlers = List.of(julRoot.getHandlers());
    String flinkLogFile = System.getProperty("log.file");
    try (LocalLogs logs = LocalLogs.into(dir)) {
      assertEquals(
          logs.log().toString(), System.getProperty("log.file"), "Flink's web UI shows the log");
      assertNotEquals(julHandlers, List.of(julRoot.getHandlers()));
    }
    assertEquals(flinkLogFile, System.getProperty("log.file"));
    assertEquals(julHandlers, List.of(julRoot.getHandlers()));
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    assertNull(context.getConfiguration().getAppender("local-audit"));
    assertNull(context.getConfiguration().getAppender("local-log"));
  }

  @Test
  void julLevelsMapToLog4jLevels() {
    assertEquals(Level.ERROR, JulBridge.level(java.util.logging.Level.SEVERE));
    assertEquals(Level.WARN, JulBridge.level(java.util.logging.Level.WARNING));
    assertEquals(Level.INFO, JulBridge.level(java.util.logging.Level.INFO));
    assertEquals(Level.DEBUG, JulBridge.level(java.util.logging.Level.CONFIG));
    assertEquals(Level.DEBUG, JulBridge.level(java.util.logging.Level.FINE));
    assertEquals(Level.TRACE, JulBridge.level(java.util.logging.Level.FINEST));
  }
}
