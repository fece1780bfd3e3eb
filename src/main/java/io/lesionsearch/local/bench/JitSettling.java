package io.lesionsearch.local.bench;

import java.util.function.LongSupplier;

/**
 * Says when a warm-up has gone on long enough: when the JIT's compile time in the last round fell
 * below {@link #SETTLED_SHARE} of the round. On two cores one C2 compile of 300-500 ms takes a core
 * from the job, the broker and the client; with a fixed 5 s warm-up such compiles went on for about
 * 10 s into bench query's measurement (JFR), and the requests they delayed were its p99. The
 * compile time CompilationMXBean reports is elapsed time summed over the compiler threads, about 8
 * s in the first 5 s round of bench query and 1-2 s from the sixth on (it never reaches zero: code
 * paths that run every few seconds are compiled late), hence a share rather than none.
 */
final class JitSettling {
  static final double SETTLED_SHARE = 0.3;

  private final LongSupplier compileMillis;
  private long last;

  /** {@code compileMillis}: the JIT's accumulated compile time, as CompilationMXBean reports it. */
  JitSettling(LongSupplier compileMillis) {
    this.compileMillis = compileMillis;
    this.last = compileMillis.getAsLong();
  }

  /** This JVM's compiler, or null when it does not report its compile time. */
  static JitSettling ofThisJvm() {
    return JvmActivity.totalCompileMillis() < 0
        ? null
        : new JitSettling(JvmActivity::totalCompileMillis);
  }

  /** Milliseconds spent compiling since the last call (or since this was made). */
  long compiledSinceLast() {
    long now = compileMillis.getAsLong();
    long delta = now - last;
    last = now;
    return delta;
  }

  static boolean settled(long compiledMillis, long roundMillis) {
    return compiledMillis < SETTLED_SHARE * roundMillis;
  }
}
