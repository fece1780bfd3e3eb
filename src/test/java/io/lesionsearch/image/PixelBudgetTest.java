package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lesionsearch.image.ImageDecodeException.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The pixels decodes may hold at once: taken from the header's size, given back, refused when busy
 * or too large.
 */
class PixelBudgetTest {

  private static final byte[] JPEG_160x120 =
      io.lesionsearch.datasets.SyntheticLesionImages.jpeg(1, 160, 120, 0.9f);

  @Test
  void aDecodeHoldsItsPixelsOnlyWhileItRuns() throws Exception {
    PixelBudget budget = PixelBudget.of(100_000);
    ImageDecoder decoder = new ImageDecoder(50_000, budget, Duration.ZERO);
    assertEquals(160, decoder.decode(JPEG_160x120).width());
    assertEquals(100_000, budget.available(), "given back");
  }

  @Test
  void aDecodeWaitsForItsPixelsAndFailsAsBusyWhenTheyDoNotComeFree() throws Exception {
    PixelBudget budget = PixelBudget.of(30_000);
    ImageDecoder decoder = new ImageDecoder(30_000, budget, Duration.ofMillis(20));
    try (PixelBudget.Lease held = budget.acquire(20_000, Duration.ZERO)) {
      ImageDecodeException e =
          assertThrows(ImageDecodeException.class, () -> decoder.decode(JPEG_160x120));
      assertEquals(Reason.BUSY, e.reason());
    }
    assertEquals(160, decoder.decode(JPEG_160x120).width(), "decodes once the pixels are free");
  }

  @Test
  void anImageLargerThanTheWholeBudgetIsTooLarge() {
    PixelBudget budget = PixelBudget.of(10_000);
    ImageDecodeException e =
        assertThrows(
            ImageDecodeException.class,
            () -> new ImageDecoder(1_000_000, budget, Duration.ofSeconds(10)).decode(JPEG_160x120));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertEquals(10_000, budget.available());
  }

  @Test
  void aLeaseGivesItsPixelsBackOnce() throws Exception {
    PixelBudget budget = PixelBudget.of(1000);
    PixelBudget.Lease lease = budget.acquire(600, Duration.ZERO);
    lease.close();
    lease.close();
    assertEquals(1000, budget.available());
  }

  @Test
  void everyCallerInTheJvmSharesOneBudget() throws Exception {
    PixelBudget a = PixelBudget.shared(PixelBudget.DEFAULT_PIXELS);
    PixelBudget b = PixelBudget.shared(5_000);
    assertEquals(a.pixels(), b.pixels(), "the first caller set the size");
    try (PixelBudget.Lease lease = a.acquire(1000, Duration.ZERO)) {
      assertEquals(a.available(), b.available());
    }
  }
}
