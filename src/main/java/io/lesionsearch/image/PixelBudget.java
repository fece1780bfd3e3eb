package io.lesionsearch.image;

import io.lesionsearch.image.ImageDecodeException.Reason;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * How many decoded pixels the image decoders of one JVM (one TaskManager) may hold at once, shared
 * by every job on it: a decode takes its image's pixels from the budget once the header gives the
 * size, before any pixel memory is allocated, and gives them back when done. Decoding an image
 * costs about 6 bytes a pixel at the peak (11 for a 16-bit PNG with alpha), so the default of 100
 * million pixels bounds decoding to about 0.6-1.1 GB of heap however many hostile images arrive at
 * once.
 *
 * <p>Flink loads each job's classes in a classloader of its own, where a static field would give
 * every job a budget of its own. The budget is therefore a JDK {@link Semaphore} kept in the JVM's
 * system properties, which every classloader sees; the first job on a TaskManager sets its size.
 */
public final class PixelBudget {

  public static final long DEFAULT_PIXELS = 100_000_000L;

  /** Permits are ints. */
  public static final long MAX_PIXELS = Integer.MAX_VALUE;

  private static final String PROPERTY = "lesion-search.decode.pixel-budget";

  private final long pixels;
  private final Semaphore permits;

  private PixelBudget(long pixels, Semaphore permits) {
    this.pixels = pixels;
    this.permits = permits;
  }

  /** The JVM's budget, created with {@code pixels} by the first caller. */
  @SuppressWarnings("unchecked")
  public static PixelBudget shared(long pixels) {
    check(pixels);
    Map.Entry<Long, Semaphore> shared =
        (Map.Entry<Long, Semaphore>)
            System.getProperties()
                .computeIfAbsent(
                    PROPERTY, k -> Map.entry(pixels, new Semaphore((int) pixels, true)));
    if (shared.getKey() != pixels) {
      LoggerFactory.getLogger(PixelBudget.class)
          .warn(
              "This TaskManager's pixel budget is {} pixels, set by the first job on it; {} asked for here has no effect",
              shared.getKey(),
              pixels);
    }
    return new PixelBudget(shared.getKey(), shared.getValue());
  }

  /** A budget of this object's own, for tests and tools. */
  public static PixelBudget of(long pixels) {
    check(pixels);
    return new PixelBudget(pixels, new Semaphore((int) pixels, true));
  }

  private static void check(long pixels) {
    if (pixels < 1 || pixels > MAX_PIXELS) {
      throw new IllegalArgumentException(
          "a pixel budget must be 1.." + MAX_PIXELS + " pixels, got " + pixels);
    }
  }

  public long pixels() {
    return pixels;
  }

  /** Pixels not held by any decode right now. */
  public long available() {
    return permits.availablePermits();
  }

  /**
   * Takes {@code count} pixels, waiting up to {@code wait} for them.
   *
   * @throws ImageDecodeException TOO_LARGE if the whole budget is smaller, BUSY if they did not
   *     come free in time
   */
  public Lease acquire(long count, Duration wait) throws ImageDecodeException {
    if (count > pixels) {
      throw new ImageDecodeException(
          Reason.TOO_LARGE,
          "the image has "
              + count
              + " pixels, more than this TaskManager's whole pixel budget of "
              + pixels);
    }
    try {
      if (!permits.tryAcquire((int) count, wait.toNanos(), TimeUnit.NANOSECONDS)) {
        throw busy(count, wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw busy(count, wait);
    }
    return new Lease((int) count);
  }

  private ImageDecodeException busy(long count, Duration wait) {
    return new ImageDecodeException(
        Reason.BUSY,
        "the TaskManager's pixel budget ("
            + pixels
            + " pixels) stayed in use by"
            + " other decodes for "
            + wait.toMillis()
            + " ms; "
            + count
            + " pixels were needed");
  }

  /** Pixels held by one decode; closing gives them back. */
  public final class Lease implements AutoCloseable {
    private int count;

    private Lease(int count) {
      this.count = count;
    }

    @Override
    public void close() {
      if (count > 0) {
        permits.release(count);
        count = 0;
      }
    }
  }
}
