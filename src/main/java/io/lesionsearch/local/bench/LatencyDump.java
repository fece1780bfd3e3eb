package io.lesionsearch.local.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Every request of a measurement as one CSV row, so that a tail can be lined up with what else
 * happened in the JVM: its scheduled send on the JVM's uptime clock (the clock of {@code
 * -Xlog:gc*::uptime} and JFR), its latency and its legs. Unknown values are empty cells.
 */
final class LatencyDump {

  static final String HEADER =
      "request,jvm_uptime_ms,latency_ms,to_broker_ms,to_job_ms,took_ms,to_reply_topic_ms,to_client_ms";

  private LatencyDump() {}

  /**
   * @param startUptimeMs the JVM's uptime when request 0 was due
   * @param intervalNanos the schedule's spacing
   * @param latencyNanos each request's latency, negative without a reply
   */
  static void write(
      Path file, double startUptimeMs, long intervalNanos, long[] latencyNanos, LatencyLegs legs)
      throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(HEADER);
      w.write('\n');
      for (int i = 0; i < latencyNanos.length; i++) {
        StringBuilder row = new StringBuilder();
        row.append(i).append(',').append(cell(startUptimeMs + i * (intervalNanos / 1e6)));
        row.append(',').append(latencyNanos[i] < 0 ? "" : cell(latencyNanos[i] / 1e6));
        for (int leg = 0; leg < LatencyLegs.NAMES.length; leg++) {
          row.append(',').append(cell(legs.leg(leg, i)));
        }
        w.write(row.append('\n').toString());
      }
    }
  }

  private static String cell(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.2f", value);
  }
}
