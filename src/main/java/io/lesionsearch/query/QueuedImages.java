package io.lesionsearch.query;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The query images one parallel instance holds, decoding or waiting for a model, counted across all
 * of its models: a job that holds two models during an upgrade holds no more images than one.
 */
final class QueuedImages {
  private final int max;
  private final AtomicInteger held = new AtomicInteger();

  QueuedImages(int max) {
    this.max = max;
  }

  /** Takes a place for one image; false when {@link #max()} are held already. */
  boolean tryTake() {
    if (held.incrementAndGet() > max) {
      held.decrementAndGet();
      return false;
    }
    return true;
  }

  void release() {
    held.decrementAndGet();
  }

  int held() {
    return held.get();
  }

  int max() {
    return max;
  }
}
