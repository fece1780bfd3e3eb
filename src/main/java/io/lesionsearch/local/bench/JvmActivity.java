package io.lesionsearch.local.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The JVM's own work that competes with a latency measurement on a small machine, counted since the
 * JVM started: JIT compile time (elapsed, summed over the compiler threads) and garbage collections
 * with their time. Two snapshots say how much of it fell inside a measurement window, the first
 * thing to look at when a p99 moves between runs.
 */
record JvmActivity(long compileMillis, long collections, long collectionMillis) {

  /** The JIT's accumulated compile time (ms), -1 when this JVM does not report it. */
  static long totalCompileMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }

  static JvmActivity take() {
    long compile = totalCompileMillis();
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new JvmActivity(compile, count, millis);
  }

  /** What happened between {@code earlier} and this snapshot, as part of a line. */
  String since(JvmActivity earlier) {
    String jit =
        compileMillis < 0 || earlier.compileMillis < 0
            ? "JIT compile time not reported"
            : "JIT compiled for " + (compileMillis - earlier.compileMillis) + " ms";
    return String.format(
        Locale.ROOT,
        "%s; %d garbage collections, %d ms",
        jit,
        collections - earlier.collections,
        collectionMillis - earlier.collectionMillis);
  }
}
