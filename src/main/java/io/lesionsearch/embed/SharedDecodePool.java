package io.lesionsearch.embed;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pool of decode threads per JVM, shared by every slot's embedding stage (ingest and query):
 * decoding is CPU work, so more threads than cores would only contend with inference.
 */
public final class SharedDecodePool {
  private static final ExecutorService POOL = create();

  private SharedDecodePool() {}

  public static ExecutorService get() {
    return POOL;
  }

  private static ExecutorService create() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        Runtime.getRuntime().availableProcessors(),
        r -> {
          Thread t = new Thread(r, "lesion-search-decode-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }
}
