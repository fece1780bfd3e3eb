package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Per-address token buckets, on a clock the test moves. */
class RateLimiterTest {

  @Test
  void aBurstUpToTheRateIsAllowedThenOneSearchPerIntervalPerAddress() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RateLimiter limiter = new RateLimiter(6, now::get); // one token every 10 s
    for (int i = 0; i < 6; i++) {
      assertEquals(0, limiter.acquire("10.0.0.1"), "search " + i + " of the burst");
    }
    long wait = limiter.acquire("10.0.0.1");
    assertTrue(wait >= 1 && wait <= 10, "seconds to wait: " + wait);
    assertEquals(0, limiter.acquire("10.0.0.2"), "another address has its own allowance");
    now.addAndGet(9_000_000_000L);
    assertTrue(limiter.acquire("10.0.0.1") > 0, "not yet refilled after 9 s");
    now.addAndGet(1_500_000_000L);
    assertEquals(0, limiter.acquire("10.0.0.1"), "one search back after 10 s");
    assertTrue(limiter.acquire("10.0.0.1") > 0);
  }
}
