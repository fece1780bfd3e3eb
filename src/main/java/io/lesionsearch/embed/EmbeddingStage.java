package io.lesionsearch.embed;

import ai.djl.translate.TranslateException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one embedding stage of ingest, query and the command line: each input's decode starts on a
 * pool as it is submitted, and the driver later takes decoded inputs and embeds them as one batch,
 * so that the next batch decodes while this one is in the model. Results are typed and come back in
 * input order; a bad input becomes its own {@link EmbedResult.Failure} and never disturbs its
 * batch.
 *
 * <p>Drivers decide when to embed: the ingest operator takes the oldest inputs ({@link
 * #takeOldest}) when a batch is full or has waited long enough, the query job takes whatever is
 * decoded ({@link #takeDecoded}) whenever its inference thread is free, and the command line
 * streams an iterator through ({@link #embedAll}). Submitting and taking may happen on different
 * threads; {@link #embed} uses the encoder, which only one thread may use.
 */
public final class EmbeddingStage<I> implements AutoCloseable {

  private final Encoder encoder;
  private final Preparation<I> preparation;
  private final Executor decodePool;
  private final Duration decodeTimeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition decodeEnded = lock.newCondition();

  /** In submission order; guarded by {@link #lock}. */
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();

  /**
   * @param decodeTimeout longest one input's read and decode may take before it fails as TIMEOUT
   */
  public EmbeddingStage(
      Encoder encoder, Preparation<I> preparation, Executor decodePool, Duration decodeTimeout) {
    this.encoder = encoder;
    this.preparation = preparation;
    this.decodePool = decodePool;
    this.decodeTimeout = decodeTimeout;
  }

  /** Starts the input's decode. */
  public void submit(I input) {
    submit(input, input);
  }

  /**
   * Starts the decode of {@code decodeWith}, while the stage keeps, and the results carry, only
   * {@code input}: a copy without what the decode consumes (the image bytes), so that those are
   * held until decoded rather than until the batch is taken.
   */
  public void submit(I input, I decodeWith) {
    Pending p = new Pending(input, decodeWith);
    lock.lock();
    try {
      pending.add(p);
    } finally {
      lock.unlock();
    }
    decodePool.execute(p);
  }

  /** Inputs submitted and not yet taken. */
  public int pending() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /** The input submitted first of those not yet taken, or null when none is. */
  public I oldest() {
    lock.lock();
    try {
      Pending p = pending.peek();
      return p == null ? null : p.input;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the {@code count} oldest inputs, waiting for their decodes; one that has not ended within
   * the decode timeout of its submission is interrupted and fails as TIMEOUT.
   */
  public List<Decoded<I>> takeOldest(int count) throws InterruptedException {
    List<Pending> taken = new ArrayList<>(count);
    lock.lock();
    try {
      while (taken.size() < count && !pending.isEmpty()) {
        taken.add(pending.poll());
      }
    } finally {
      lock.unlock();
    }
    List<Decoded<I>> decoded = new ArrayList<>(taken.size());
    for (Pending p : taken) {
      decoded.add(p.await());
    }
    return decoded;
  }

  /**
   * Takes up to {@code max} inputs whose decode has ended, in input order, waiting until there is
   * one.
   */
  public List<Decoded<I>> takeDecoded(int max) throws InterruptedException {
    List<Decoded<I>> decoded = new ArrayList<>(max);
    lock.lockInterruptibly();
    try {
      while (decoded.isEmpty()) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext() && decoded.size() < max; ) {
          Pending p = it.next();
          if (p.isDone()) {
            it.remove();
            decoded.add(p.outcome());
          }
        }
        if (decoded.isEmpty()) {
          decodeEnded.await();
        }
      }
    } finally {
      lock.unlock();
    }
    return decoded;
  }

  /** One forward pass over the prepared inputs of {@code batch}; every input's result, in order. */
  public List<Embedded<I>> embed(List<Decoded<I>> batch) throws TranslateException {
    List<float[]> pixels = new ArrayList<>(batch.size());
    for (Decoded<I> d : batch) {
      if (d.ok()) {
        pixels.add(d.prepared().pixels());
      }
    }
    List<float[]> vectors = pixels.isEmpty() ? List.of() : encoder.embed(pixels);
    List<Embedded<I>> results = new ArrayList<>(batch.size());
    int next = 0;
    for (Decoded<I> d : batch) {
      EmbedResult result =
          d.ok()
              ? new EmbedResult.Vector(vectors.get(next++), d.prepared().thumbnail())
              : d.failure();
      results.add(new Embedded<>(d.input(), result));
    }
    return results;
  }

  /**
   * Embeds every input in order, in batches of {@code batchSize}, with two batches decoding at a
   * time: enough to hide decoding behind inference, bounded in memory.
   */
  public void embedAll(Iterator<? extends I> inputs, int batchSize, Consumer<Embedded<I>> sink)
      throws TranslateException, InterruptedException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    while (true) {
      while (pending() < 2 * batchSize && inputs.hasNext()) {
        submit(inputs.next());
      }
      if (pending() == 0) {
        return;
      }
      embed(takeOldest(batchSize)).forEach(sink);
    }
  }

  /** Gives up every decode not yet taken; the encoder stays open, its owner closes it. */
  @Override
  public void close() {
    lock.lock();
    try {
      pending.forEach(p -> p.cancel(true));
      pending.clear();
    } finally {
      lock.unlock();
    }
  }

  /**
   * One input's decode; it returns the failure rather than throwing, so that none reaches the pool.
   */
  private final class Pending extends FutureTask<Decoded<I>> {
    final I input;
    final long submittedNanos = System.nanoTime();

    /**
     * A FutureTask drops its callable, and with it {@code decodeWith}, once the decode has ended.
     */
    Pending(I input, I decodeWith) {
      super(() -> prepare(input, decodeWith));
      this.input = input;
    }

    @Override
    protected void done() {
      lock.lock();
      try {
        decodeEnded.signalAll();
      } finally {
        lock.unlock();
      }
    }

    Decoded<I> await() throws InterruptedException {
      long leftNanos = submittedNanos + decodeTimeout.toNanos() - System.nanoTime();
      try {
        return get(Math.max(0, leftNanos), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        cancel(true);
        return timedOut();
      } catch (ExecutionException e) {
        return failed(
            e.getCause()); // prepare() returns its failures, so only the pool itself gets here
      }
    }

    /** The outcome of a decode that has ended. */
    Decoded<I> outcome() {
      try {
        return get();
      } catch (ExecutionException e) {
        return failed(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return failed(e);
      }
    }

    private Decoded<I> timedOut() {
      return new Decoded<>(
          input,
          null,
          new EmbedResult.Failure(
              Reason.TIMEOUT,
              "reading and decoding the image took longer than "
                  + decodeTimeout.toMillis()
                  + " ms (--decode-timeout-ms)"));
    }

    private Decoded<I> failed(Throwable e) {
      return new Decoded<>(input, null, EmbedResult.Failure.of(e));
    }
  }

  private Decoded<I> prepare(I input, I decodeWith) {
    try {
      return new Decoded<>(input, preparation.prepare(decodeWith), null);
    } catch (Exception | StackOverflowError | OutOfMemoryError e) {
      // Errors of one image's decode (a recursion too deep, an allocation too large) leave the JVM
      // able to go on; anything else that breaks it (an InternalError, a LinkageError) is not
      // caught.
      return new Decoded<>(input, null, EmbedResult.Failure.of(e));
    }
  }
}
