package io.lesionsearch.embed;

import ai.djl.translate.TranslateException;
import io.lesionsearch.image.ImageDecodeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * Embeds a stream of images in input order while keeping every core busy: decoding and resizing of the
 * next batches runs on a thread pool while the current batch is in the model. A bad image yields an
 * {@link Embedded} carrying its error; it never stops the stream or its batch.
 */
public final class EmbeddingPipeline {

  /** Reads one input's bytes; I/O failures count as the image's own failure. */
  @FunctionalInterface
  public interface ImageSource<T> {
    byte[] read(T input) throws Exception;
  }

  private final VitEncoder encoder;
  private final ExecutorService decodePool;
  private final int batchSize;

  public EmbeddingPipeline(VitEncoder encoder, ExecutorService decodePool, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.encoder = encoder;
    this.decodePool = decodePool;
    this.batchSize = batchSize;
  }

  public <T> void run(Iterator<T> inputs, ImageSource<T> source, Consumer<Embedded<T>> sink)
      throws TranslateException {
    // Two batches in preparation: enough to hide decoding behind inference, bounded in memory.
    int window = 2 * batchSize;
    ArrayDeque<Prepared<T>> pending = new ArrayDeque<>(window);
    while (true) {
      while (pending.size() < window && inputs.hasNext()) {
        T input = inputs.next();
        pending.add(new Prepared<>(input, CompletableFuture.supplyAsync(() -> prepare(input, source), decodePool)));
      }
      if (pending.isEmpty()) {
        return;
      }
      List<Prepared<T>> batch = new ArrayList<>(batchSize);
      while (batch.size() < batchSize && !pending.isEmpty()) {
        batch.add(pending.poll());
      }
      embedBatch(batch, sink);
    }
  }

  private <T> void embedBatch(List<Prepared<T>> batch, Consumer<Embedded<T>> sink) throws TranslateException {
    List<float[]> pixels = new ArrayList<>(batch.size());
    List<Object> outcomes = new ArrayList<>(batch.size());
    for (Prepared<T> p : batch) {
      Object outcome = p.result.join();
      outcomes.add(outcome);
      if (outcome instanceof float[] tensor) {
        pixels.add(tensor);
      }
    }
    List<float[]> vectors = encoder.embed(pixels);
    int next = 0;
    for (int i = 0; i < batch.size(); i++) {
      T input = batch.get(i).input;
      if (outcomes.get(i) instanceof ImageDecodeException error) {
        sink.accept(new Embedded<>(input, null, error));
      } else {
        sink.accept(new Embedded<>(input, vectors.get(next++), null));
      }
    }
  }

  private <T> Object prepare(T input, ImageSource<T> source) {
    byte[] bytes;
    try {
      bytes = source.read(input);
    } catch (Exception e) {
      return new ImageDecodeException(
          ImageDecodeException.Reason.UNREADABLE, "cannot read " + input + ": " + e.getMessage(), e);
    }
    try {
      return encoder.preprocessor().preprocess(bytes);
    } catch (ImageDecodeException e) {
      return e;
    } catch (RuntimeException e) {
      // A decoder bug on one odd file must not end the whole run: report it against that image.
      return new ImageDecodeException(ImageDecodeException.Reason.CORRUPT, "cannot decode " + input + ": " + e, e);
    }
  }

  private record Prepared<T>(T input, CompletableFuture<Object> result) {}
}
