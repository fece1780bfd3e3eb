package io.lesionsearch.query;

import io.lesionsearch.embed.SharedDecodePool;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.image.ImageDecodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Embeds query images for latency: decoding starts on the shared decode pool the moment an image
 * arrives, and one inference thread (a DJL predictor is not thread-safe) embeds whatever images are
 * decoded and waiting each time it is free - one image when the stream is quiet, several at once in
 * a burst. It never waits for a batch to fill, and the model's cost per image falls as queues grow,
 * which keeps the tail short under load.
 */
final class ImageEmbedder implements AutoCloseable {

  private static final int MAX_BATCH = 16;

  private record Job(float[] pixels, long deadlineNanos, CompletableFuture<float[]> result) {}

  private final VitEncoder encoder;
  private final BlockingQueue<Job> decoded = new LinkedBlockingQueue<>();
  private final Thread inference;
  private volatile boolean closed;

  ImageEmbedder(VitEncoder encoder, String threadName) {
    this.encoder = encoder;
    this.inference = new Thread(this::run, threadName);
    inference.setDaemon(true);
    inference.start();
  }

  /** The image's vector; fails with IMAGE_UNREADABLE or TIMEOUT as a {@link QueryException}. */
  CompletableFuture<float[]> embed(byte[] image, long deadlineNanos) {
    CompletableFuture<float[]> result = new CompletableFuture<>();
    CompletableFuture.supplyAsync(() -> preprocess(image), SharedDecodePool.get()).whenComplete((pixels, error) -> {
      if (error != null) {
        result.completeExceptionally(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
      } else {
        decoded.add(new Job(pixels, deadlineNanos, result));
      }
    });
    return result;
  }

  private float[] preprocess(byte[] image) {
    try {
      return encoder.preprocessor().preprocess(image);
    } catch (ImageDecodeException e) {
      throw new CompletionException(new QueryException(ErrorCode.IMAGE_UNREADABLE, e.reason() + ": " + e.getMessage()));
    }
  }

  private void run() {
    List<Job> batch = new ArrayList<>(MAX_BATCH);
    while (!closed) {
      try {
        batch.add(decoded.take());
      } catch (InterruptedException e) {
        return;
      }
      decoded.drainTo(batch, MAX_BATCH - 1);
      embed(batch);
      batch.clear();
    }
  }

  private void embed(List<Job> batch) {
    long now = System.nanoTime();
    List<Job> live = new ArrayList<>(batch.size());
    for (Job job : batch) {
      if (now > job.deadlineNanos) {
        // Its reply has gone out or is about to; the model's time is better spent on the others.
        job.result.completeExceptionally(new QueryException(ErrorCode.TIMEOUT, "the request's time ran out while its image waited for the model"));
      } else {
        live.add(job);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    try {
      List<float[]> vectors = encoder.embed(live.stream().map(Job::pixels).toList());
      for (int i = 0; i < live.size(); i++) {
        live.get(i).result.complete(vectors.get(i));
      }
    } catch (Exception | Error e) {
      live.forEach(job -> job.result.completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    closed = true;
    inference.interrupt();
    try {
      inference.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    encoder.close();
  }
}
