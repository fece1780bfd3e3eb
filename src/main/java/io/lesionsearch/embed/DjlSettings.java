package io.lesionsearch.embed;

/**
 * DJL settings that must hold before its engine starts, set here as well as by jobs/lesion-search
 * so that a job submitted to any cluster never tries to download natives or report usage.
 */
final class DjlSettings {
  private DjlSettings() {}

  static void apply() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    // One batch at a time per predictor: inter-op parallelism only adds contention with decoding.
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    // libtorch's own default was measured slower and far less steady than one thread per core.
    setIfAbsent(
        "ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Intra-op threads for an ONNX Runtime session: the same rule and the same option as libtorch's
   * ({@code -Dai.djl.pytorch.num_threads}, one per core unless set), so that switching a model
   * directory's engine never changes how many cores inference takes.
   */
  static int intraOpThreads() {
    apply();
    int cores = Runtime.getRuntime().availableProcessors();
    Integer n = Integer.getInteger("ai.djl.pytorch.num_threads");
    return n == null || n < 1 ? cores : n;
  }

  /**
   * Warns when glibc's malloc thresholds are left dynamic: libtorch then page-faults fresh memory
   * on every batch, which measured 40% slower here. Only the environment can fix it, before the JVM
   * starts.
   */
  static boolean mallocTuned() {
    String tunables = System.getenv().getOrDefault("GLIBC_TUNABLES", "");
    return System.getenv("MALLOC_MMAP_THRESHOLD_") != null || tunables.contains("mmap_threshold");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
