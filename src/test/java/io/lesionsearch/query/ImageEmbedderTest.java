package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.PixelBudget;
import io.lesionsearch.testing.TestData;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The query job's image queue: bounded (OVERLOADED beyond it), and no work for requests already out of time. */
class ImageEmbedderTest {

  private static final byte[] JPEG = TestData.imageBytes("lesion-600x450.jpg");

  @Test
  void imagesBeyondTheQueueAreOverloadedAndTheQueueFreesAsImagesFinish() throws Exception {
    PixelBudget budget = PixelBudget.of(1_000_000);
    ImageDecoder decoder = new ImageDecoder(1_000_000, budget, Duration.ofSeconds(60));
    try (ImageEmbedder embedder = new ImageEmbedder(VitEncoder.open(TestData.model("vit-s16-d1-fp32"), Device.cpu()),
        decoder, 1, "test-embed")) {
      CompletableFuture<float[]> first;
      try (PixelBudget.Lease all = budget.acquire(1_000_000, Duration.ZERO)) {
        first = embedder.embed(JPEG, far()); // its decode waits for pixels: the queue is full
        assertEquals(ErrorCode.OVERLOADED, failure(embedder.embed(JPEG, far())).code());
      }
      assertEquals(384, first.get(30, TimeUnit.SECONDS).length);
      assertEquals(384, embedder.embed(JPEG, far()).get(30, TimeUnit.SECONDS).length, "room again");
    }
  }

  @Test
  void aBusyPixelBudgetIsOverloadedAndAnExpiredRequestIsNotDecoded() throws Exception {
    PixelBudget budget = PixelBudget.of(1_000_000);
    ImageDecoder decoder = new ImageDecoder(1_000_000, budget, Duration.ofMillis(10));
    try (ImageEmbedder embedder = new ImageEmbedder(VitEncoder.open(TestData.model("vit-s16-d1-fp32"), Device.cpu()),
        decoder, 8, "test-embed")) {
      try (PixelBudget.Lease all = budget.acquire(1_000_000, Duration.ZERO)) {
        QueryException busy = failure(embedder.embed(JPEG, far()));
        assertEquals(ErrorCode.OVERLOADED, busy.code());
        assertTrue(busy.getMessage().startsWith("BUSY"), busy.getMessage());
      }
      QueryException late = failure(embedder.embed(JPEG, System.nanoTime() - 1));
      assertEquals(ErrorCode.TIMEOUT, late.code());
      assertTrue(late.getMessage().contains("before its image was decoded"), late.getMessage());
    }
  }

  private static long far() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
  }

  private static QueryException failure(CompletableFuture<float[]> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
    return (QueryException) e.getCause();
  }
}
