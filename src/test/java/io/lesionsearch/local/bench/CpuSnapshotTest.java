package io.lesionsearch.local.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSnapshotTest {

  @Test
  void splitsTheCpuBetweenTwoSnapshotsPerImageByThreadGroup() {
    CpuSnapshot before =
        new CpuSnapshot(
            10_000_000L,
            Map.of(1L, "decode-1", 2L, "task", 3L, "decode-2"),
            Map.of(1L, 1_000_000L, 2L, 2_000_000L, 3L, 0L));
    CpuSnapshot after =
        new CpuSnapshot(
            50_000_000L,
            Map.of(1L, "decode-1", 2L, "task", 3L, "decode-2", 4L, "new"),
            Map.of(1L, 5_000_000L, 2L, 12_000_000L, 3L, 2_000_000L, 4L, 1_000_000L));
    Map<String, Double> ms =
        after.since(before, 2, name -> name.startsWith("decode") ? "decode" : name);
    assertEquals(3.0, ms.get("decode"), 1e-9); // (4 + 2) ms over 2 images
    assertEquals(5.0, ms.get("task"), 1e-9);
    assertEquals(0.5, ms.get("new"), 1e-9); // a thread started in between counts from zero
    assertEquals(20.0, ms.get("process"), 1e-9);
    assertEquals(20.0 - 3.0 - 5.0 - 0.5, ms.get("not Java threads"), 1e-9);
  }

  @Test
  void aLiveSnapshotSeesThisThreadAndTheProcess() {
    CpuSnapshot now = CpuSnapshot.take();
    assertTrue(now.names().containsValue(Thread.currentThread().getName()));
    assertTrue(now.processNanos() > 0);
  }
}
