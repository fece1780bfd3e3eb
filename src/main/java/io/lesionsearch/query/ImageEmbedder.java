package io.lesionsearch.query;

import io.lesionsearch.embed.Decoded;
import io.lesionsearch.embed.EmbedResult;
import io.lesionsearch.embed.Embedded;
import io.lesionsearch.embed.EmbeddingStage;
import io.lesionsearch.embed.Encoder;
import io.lesionsearch.embed.ImageBytesPreparation;
import io.lesionsearch.embed.SharedDecodePool;
import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.image.ImageDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The query job's driver of the {@link EmbeddingStage}, for latency: decoding starts on the shared
 * decode pool the moment an image arrives, and one inference thread (an encoder is not thread-safe)
 * embeds whatever images are decoded and waiting each time it is free - one image when the stream
 * is quiet, several at once in a burst. It never waits for a batch to fill, and the model's cost
 * per image falls as queues grow, which keeps the tail short under load.
 *
 * <p>It holds at most {@code maxQueued} images at once, decoding or waiting for the model (shared
 * with the instance's other models, if any); more are answered OVERLOADED at once rather than
 * queued without end. An image whose request has run out of time by the time its decode or
 * inference would start is dropped unprocessed.
 */
final class ImageEmbedder implements AutoCloseable {

  private static final int MAX_BATCH = 16;

  /** The request's own deadline bounds a query image's decode; this only backs it up. */
  private static final Duration NO_DECODE_TIMEOUT = Duration.ofDays(1);

  /**
   * One query image: its bytes until its decode takes them, so that an image of up to
   * --max-image-bytes is not held beside its tensor while it waits for the model; its request's
   * deadline; and where its answer goes.
   */
  private static final class QueryImage {
    private byte[] bytes;
    final long deadlineNanos;
    final CompletableFuture<float[]> result;
    final AtomicBoolean answered = new AtomicBoolean();

    QueryImage(byte[] bytes, long deadlineNanos, CompletableFuture<float[]> result) {
      this.bytes = bytes;
      this.deadlineNanos = deadlineNanos;
      this.result = result;
    }

    /** Called once, by the decode thread the pool hands the image to. */
    byte[] takeBytes() {
      byte[] taken = bytes;
      bytes = null;
      return taken;
    }
  }

  private final Encoder encoder;
  private final EmbeddingStage<QueryImage> stage;
  private final QueuedImages queued;
  private final Thread inference;
  private volatile boolean closed;

  /**
   * @param decoder the job's decoder: its pixel limit and the TaskManager's pixel budget
   */
  ImageEmbedder(Encoder encoder, ImageDecoder decoder, int maxQueued, String threadName) {
    this(encoder, decoder, new QueuedImages(maxQueued), threadName);
  }

  /**
   * @param queued the instance's count of held images, shared by the embedders of all its models
   */
  ImageEmbedder(Encoder encoder, ImageDecoder decoder, QueuedImages queued, String threadName) {
    this.encoder = encoder;
    ImageBytesPreparation images = new ImageBytesPreparation(encoder.manifest(), decoder, 0);
    this.stage =
        new EmbeddingStage<>(
            encoder,
            image -> {
              byte[] bytes = image.takeBytes();
              if (System.nanoTime() > image.deadlineNanos) {
                throw new ImageDecodeException(
                    Reason.TIMEOUT, "the request's time ran out before its image was decoded");
              }
              return images.prepare(bytes);
            },
            SharedDecodePool.get(),
            NO_DECODE_TIMEOUT);
    this.queued = queued;
    this.inference = new Thread(this::run, threadName);
    inference.setDaemon(true);
    inference.start();
  }

  /** Images held now, decoding or waiting for the model (the query job's queue depth). */
  int queued() {
    return queued.held();
  }

  /**
   * The image's vector; fails with a {@link QueryException}: IMAGE_UNREADABLE, OVERLOADED or
   * TIMEOUT.
   */
  CompletableFuture<float[]> embed(byte[] image, long deadlineNanos) {
    if (!queued.tryTake()) {
      return CompletableFuture.failedFuture(
          new QueryException(
              ErrorCode.OVERLOADED,
              queued.max()
                  + " query images are already waiting to be decoded or embedded here; try again shortly"));
    }
    CompletableFuture<float[]> result = new CompletableFuture<>();
    stage.submit(new QueryImage(image, deadlineNanos, result));
    return result;
  }

  /**
   * Frees the image's place before its caller hears the answer: a caller that sends its next image
   * as soon as it has this one's finds the room (a release run after completing, as a dependent of
   * the future, raced with the caller's own dependents).
   */
  private void answer(QueryImage image, float[] vector) {
    if (image.answered.compareAndSet(false, true)) {
      queued.release();
      image.result.complete(vector);
    }
  }

  private void fail(QueryImage image, Throwable error) {
    if (image.answered.compareAndSet(false, true)) {
      queued.release();
      image.result.completeExceptionally(error);
    }
  }

  private void run() {
    while (!closed) {
      List<Decoded<QueryImage>> batch;
      try {
        batch = stage.takeDecoded(MAX_BATCH);
      } catch (InterruptedException e) {
        return;
      }
      embed(batch);
    }
  }

  private void embed(List<Decoded<QueryImage>> batch) {
    long now = System.nanoTime();
    List<Decoded<QueryImage>> live = new ArrayList<>(batch.size());
    for (Decoded<QueryImage> d : batch) {
      // Its reply has gone out or is about to; the model's time is better spent on the others.
      live.add(
          d.ok() && now > d.input().deadlineNanos
              ? d.fail(
                  new EmbedResult.Failure(
                      Reason.TIMEOUT,
                      "the request's time ran out while its image waited for the model"))
              : d);
    }
    try {
      for (Embedded<QueryImage> e : stage.embed(live)) {
        if (e.result() instanceof EmbedResult.Vector v) {
          answer(e.input(), v.vector());
        } else if (e.result() instanceof EmbedResult.Failure f) {
          fail(e.input(), refusal(f));
        }
      }
    } catch (Exception | Error e) {
      // The model failed, not the images: the requests get the model's error (INTERNAL).
      live.forEach(d -> fail(d.input(), e));
    }
  }

  /** One image's failure as its request's answer. */
  private static QueryException refusal(EmbedResult.Failure f) {
    return switch (f.reason()) {
      case BUSY -> new QueryException(ErrorCode.OVERLOADED, f.reason() + ": " + f.message());
      case TIMEOUT -> new QueryException(ErrorCode.TIMEOUT, f.message());
      default -> new QueryException(ErrorCode.IMAGE_UNREADABLE, f.reason() + ": " + f.message());
    };
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
    stage.close();
    encoder.close();
  }
}
