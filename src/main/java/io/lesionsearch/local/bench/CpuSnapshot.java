package io.lesionsearch.local.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The process's CPU time and each live Java thread's, at one moment. Two snapshots give where the
 * CPU went between them: CPU time per image holds up under load from other processes far better
 * than images/s, which is why the benchmark prints both. Threads the JVM does not show as Java
 * threads (libtorch's intra-op workers, GC, the JIT compilers) appear only in the process total.
 */
record CpuSnapshot(long processNanos, Map<Long, String> names, Map<Long, Long> threadNanos) {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  static CpuSnapshot take() {
    Map<Long, String> names = new HashMap<>();
    Map<Long, Long> nanos = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          names.put(info.getThreadId(), info.getThreadName());
          nanos.put(info.getThreadId(), cpu);
        }
      }
    }
    return new CpuSnapshot(processCpuNanos(), names, nanos);
  }

  static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /**
   * CPU milliseconds per {@code images} since {@code earlier}, in groups that {@code group} names
   * from a thread's name, then "not Java threads" (the process total less all Java threads), then
   * "process". Threads that ended in between are not counted in their group.
   */
  Map<String, Double> since(CpuSnapshot earlier, long images, Function<String, String> group) {
    Map<String, Double> ms = new LinkedHashMap<>();
    long javaNanos = 0;
    for (Map.Entry<Long, Long> t : threadNanos.entrySet()) {
      long used = t.getValue() - earlier.threadNanos.getOrDefault(t.getKey(), 0L);
      javaNanos += used;
      ms.merge(group.apply(names.get(t.getKey())), used / 1e6 / images, Double::sum);
    }
    long process = processNanos - earlier.processNanos;
    ms.put("not Java threads", (process - javaNanos) / 1e6 / images);
    ms.put("process", process / 1e6 / images);
    return ms;
  }
}
