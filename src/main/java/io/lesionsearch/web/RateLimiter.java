package io.lesionsearch.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: up to {@code perMinute} searches at once, refilled evenly over
 * a minute. Each search costs an embedding on the cluster, so one busy client must not starve the
 * others. The clock is a parameter so tests need not wait.
 */
public final class RateLimiter {

  private static final long MINUTE_NANOS = 60_000_000_000L;

  /**
   * Above this many addresses, full (idle) buckets are dropped: they hold nothing worth keeping.
   */
  private static final int MAX_TRACKED = 10_000;

  private final int perMinute;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long updatedNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updatedNanos = now;
    }
  }

  public RateLimiter(int perMinute) {
    this(perMinute, System::nanoTime);
  }

  public RateLimiter(int perMinute, LongSupplier nanoClock) {
    if (perMinute < 1) {
      throw new IllegalArgumentException(
          "searches per minute must be at least 1, got " + perMinute);
    }
    this.perMinute = perMinute;
    this.nanoClock = nanoClock;
  }

  /**
   * Takes one search from {@code client}'s allowance; 0 when allowed, else the seconds until one
   * is.
   */
  public long acquire(String client) {
    long now = nanoClock.getAsLong();
    if (buckets.size() > MAX_TRACKED) {
      buckets.values().removeIf(b -> refilled(b, now) >= perMinute);
    }
    Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(perMinute, now));
    synchronized (bucket) {
      bucket.tokens = refilled(bucket, now);
      bucket.updatedNanos = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      double nanosPerToken = (double) MINUTE_NANOS / perMinute;
      return (long) Math.ceil((1 - bucket.tokens) * nanosPerToken / 1e9);
    }
  }

  private double refilled(Bucket b, long now) {
    return Math.min(
        perMinute, b.tokens + (double) (now - b.updatedNanos) * perMinute / MINUTE_NANOS);
  }
}
