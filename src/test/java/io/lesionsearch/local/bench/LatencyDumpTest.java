package io.lesionsearch.local.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-request CSV of bench query --dump, and the line on the JVM's own work beside p99. */
class LatencyDumpTest {

  @TempDir Path dir;

  @Test
  void oneRowPerRequestOnTheUptimeClockWithEmptyCellsForWhatIsUnknown() throws Exception {
    TripTimes trips = new TripTimes();
    trips.requestAppended("r-0", 1_002);
    trips.replyRead("r-0", 1_020, 1_005, 0);
    LatencyLegs legs = new LatencyLegs(3);
    legs.add(0, 1_000.5, trips.remove("r-0"), 12, 1_021.5);
    trips.replyRead("r-1", 1_040, -1, 0); // no append seen, no received header
    legs.add(1, 1_020.5, trips.remove("r-1"), -1, 1_041);
    Path file = dir.resolve("latency.csv");

    LatencyDump.write(file, 5_000.25, 20_000_000L, new long[] {21_000_000, 20_500_000, -1}, legs);

    assertThat(Files.readAllLines(file))
        .containsExactly(
            LatencyDump.HEADER,
            "0,5000.25,21.00,1.50,3.00,12.00,3.00,1.50",
            "1,5020.25,20.50,,,,,1.00",
            "2,5040.25,,,,,,");
  }

  @Test
  void jvmActivityCountsOnlyWhatHappenedBetweenTwoSnapshots() {
    JvmActivity before = new JvmActivity(9_000, 40, 700);
    JvmActivity after = new JvmActivity(9_350, 43, 52 + 700);

    assertThat(after.since(before))
        .isEqualTo("JIT compiled for 350 ms; 3 garbage collections, 52 ms");
    assertThat(new JvmActivity(-1, 43, 752).since(new JvmActivity(-1, 40, 700)))
        .startsWith("JIT compile time not reported;");
  }

  @Test
  void thisJvmReportsItsCollectionsAndCompileTime() {
    JvmActivity now = JvmActivity.take();

    assertThat(now.compileMillis()).isPositive();
    assertThat(now.collections()).isNotNegative();
  }
}
