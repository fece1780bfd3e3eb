package io.lesionsearch.query;

import io.lesionsearch.embed.SharedDecodePool;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embeds query images for latency: decoding starts on the shared decode pool the moment an image
 * arrives, and one inference thread (a DJL predictor is not thread-safe) embeds whatever images are
 * decoded and waiting each time it is free - one image when the stream is quiet, several at once in
 * a burst. It never waits for a batch to fill, and the model's cost per image falls as queues grow,
 * which keeps the tail short under load.
 *
 * <p>It holds at most {@code maxQueued} images at once, decoding or waiting for the model; more are
 * answered OVERLOADED at once rather than queued without end. An image whose request has run out of
 * time by the time its decode or inference would start is dropped unprocessed.
 */
final class ImageEmbedder implements AutoCloseable {

  private static final int MAX_BATCH = 16;

  private record Job(float[] pixels, long deadlineNanos, CompletableFuture<float[]> result) {}

  private final VitEncoder encoder;
  private final VitPreprocessor preprocessor;
  private final int maxQueued;
  private final AtomicInteger queued = new AtomicInteger();
  private final BlockingQueue<Job> decoded = new LinkedBlockingQueue<>();
  private final Thread inference;
  private volatile boolean closed;

  /** @param decoder the job's decoder: its pixel limit and the TaskManager's pixel budget */
  ImageEmbedder(VitEncoder encoder, ImageDecoder decoder, int maxQueued, String threadName) {
    this.encoder = encoder;
    this.preprocessor = new VitPreprocessor(encoder.manifest(), decoder);
    this.maxQueued = maxQueued;
    this.inference = new Thread(this::run, threadName);
    inference.setDaemon(true);
    inference.start();
  }

  /** Images held now, decoding or waiting for the model (the query job's queue depth). */
  int queued() {
    return queued.get();
  }

  /** The image's vector; fails with a {@link QueryException}: IMAGE_UNREADABLE, OVERLOADED or TIMEOUT. */
  CompletableFuture<float[]> embed(byte[] image, long deadlineNanos) {
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return CompletableFuture.failedFuture(new QueryException(ErrorCode.OVERLOADED,
          maxQueued + " query images are already waiting to be decoded or embedded here; try again shortly"));
    }
    CompletableFuture<float[]> result = new CompletableFuture<>();
    result.whenComplete((vector, error) -> queued.decrementAndGet());
    SharedDecodePool.get().execute(() -> decode(image, deadlineNanos, result));
    return result;
  }

  /** Runs on a decode thread; completes {@code result} with its failure, or queues it for the model. */
  private void decode(byte[] image, long deadlineNanos, CompletableFuture<float[]> result) {
    if (System.nanoTime() > deadlineNanos) {
      result.completeExceptionally(new QueryException(ErrorCode.TIMEOUT, "the request's time ran out before its image was decoded"));
      return;
    }
    try {
      decoded.add(new Job(preprocessor.preprocess(image), deadlineNanos, result));
    } catch (ImageDecodeException e) {
      result.completeExceptionally(new QueryException(
          e.reason() == ImageDecodeException.Reason.BUSY ? ErrorCode.OVERLOADED : ErrorCode.IMAGE_UNREADABLE,
          e.reason() + ": " + e.getMessage()));
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // One image's failure, however it fails, is that request's answer; the JVM goes on.
      result.completeExceptionally(new QueryException(ErrorCode.IMAGE_UNREADABLE,
          "FAILED: decoding the image failed (" + e.getClass().getSimpleName() + ")"));
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
