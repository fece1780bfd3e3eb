package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import io.lesionsearch.embed.Encoder;
import io.lesionsearch.embed.FakeEncoder;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.PixelBudget;
import io.lesionsearch.testing.TestData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The query job's image queue: bounded (OVERLOADED beyond it), no work for requests already out of
 * time, and every failure its request's answer. The real test model, or a held one on 8x8 inputs.
 */
class ImageEmbedderTest {

  private static final byte[] JPEG = TestData.imageBytes("lesion-600x450.jpg");
  private static final byte[] SMALL = TestData.imageBytes("lesion-small-150x100.png");

  @Test
  void imagesBeyondTheQueueAreOverloadedAndTheQueueFreesAsImagesFinish() throws Exception {
    PixelBudget budget = PixelBudget.of(1_000_000);
    ImageDecoder decoder = new ImageDecoder(1_000_000, budget, Duration.ofSeconds(60));
    try (ImageEmbedder embedder =
        new ImageEmbedder(
            VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu()),
            decoder,
            1,
            "test-embed")) {
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
  void theEmbeddersOfTwoModelsShareOneQueueLimit() throws Exception {
    PixelBudget budget = PixelBudget.of(1_000_000);
    ImageDecoder decoder = new ImageDecoder(1_000_000, budget, Duration.ofSeconds(60));
    QueuedImages queued = new QueuedImages(1);
    try (ImageEmbedder oldModel =
            new ImageEmbedder(
                VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu()),
                decoder,
                queued,
                "test-embed-old");
        ImageEmbedder newModel =
            new ImageEmbedder(
                VitEncoder.open(TestData.model("vit-s16-d1/bf16"), Device.cpu()),
                decoder,
                queued,
                "test-embed-new")) {
      CompletableFuture<float[]> first;
      try (PixelBudget.Lease all = budget.acquire(1_000_000, Duration.ZERO)) {
        first = oldModel.embed(JPEG, far()); // waits for pixels, holding the one place
        assertEquals(ErrorCode.OVERLOADED, failure(newModel.embed(JPEG, far())).code());
        assertEquals(1, newModel.queued(), "the count is the instance's, not the model's");
      }
      assertEquals(384, first.get(30, TimeUnit.SECONDS).length);
      assertEquals(384, newModel.embed(JPEG, far()).get(30, TimeUnit.SECONDS).length, "room again");
    }
  }

  @Test
  void aBusyPixelBudgetIsOverloadedAndAnExpiredRequestIsNotDecoded() throws Exception {
    PixelBudget budget = PixelBudget.of(1_000_000);
    ImageDecoder decoder = new ImageDecoder(1_000_000, budget, Duration.ofMillis(10));
    try (ImageEmbedder embedder =
        new ImageEmbedder(
            VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu()),
            decoder,
            8,
            "test-embed")) {
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

  @Test
  void anImageWhoseRequestRanOutWhileItWaitedForTheModelIsNotEmbedded() throws Exception {
    CountDownLatch modelBusy = new CountDownLatch(1);
    CountDownLatch modelMayGoOn = new CountDownLatch(1);
    List<Integer> batches = new CopyOnWriteArrayList<>();
    Encoder held = new HeldEncoder(batches, modelBusy, modelMayGoOn);
    try (ImageEmbedder embedder = new ImageEmbedder(held, new ImageDecoder(), 8, "test-embed")) {
      CompletableFuture<float[]> first = embedder.embed(SMALL, far());
      modelBusy.await();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      CompletableFuture<float[]> late = embedder.embed(SMALL, deadline);
      while (System.nanoTime() <= deadline) {
        Thread.onSpinWait(); // the condition is the deadline itself
      }
      modelMayGoOn.countDown();
      assertEquals(192, first.get(30, TimeUnit.SECONDS).length);
      QueryException e = failure(late);
      assertEquals(ErrorCode.TIMEOUT, e.code());
      assertTrue(e.getMessage().contains("while its image waited for the model"), e.getMessage());
      assertEquals(List.of(1), batches, "the late image never reached the model");
    }
  }

  @Test
  void aFailingModelFailsTheRequestsOfItsBatchAndAnUnreadableImageIsThatRequestsAnswer()
      throws Exception {
    Encoder broken = new HeldEncoder(null, new CountDownLatch(1), new CountDownLatch(0));
    try (ImageEmbedder embedder = new ImageEmbedder(broken, new ImageDecoder(), 8, "test-embed")) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> embedder.embed(SMALL, far()).get(30, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof TranslateException, e.toString());
      QueryException text =
          failure(embedder.embed("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8), far()));
      assertEquals(ErrorCode.IMAGE_UNREADABLE, text.code());
      assertTrue(text.getMessage().startsWith("NOT_AN_IMAGE: "), text.getMessage());
    }
  }

  /**
   * A model on 8x8 inputs that holds its first batch until told to go on; without a batch log it
   * fails.
   */
  private record HeldEncoder(List<Integer> batches, CountDownLatch busy, CountDownLatch mayGoOn)
      implements Encoder {
    @Override
    public ModelManifest manifest() {
      return FakeEncoder.MANIFEST;
    }

    @Override
    public Device device() {
      return Device.cpu();
    }

    @Override
    public List<float[]> embed(List<float[]> pixelBatch) throws TranslateException {
      busy.countDown();
      try {
        mayGoOn.await();
      } catch (InterruptedException e) {
        throw new TranslateException(e);
      }
      if (batches == null) {
        throw new TranslateException("the model is broken");
      }
      batches.add(pixelBatch.size());
      return pixelBatch;
    }

    @Override
    public void close() {}
  }

  private static long far() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
  }

  private static QueryException failure(CompletableFuture<float[]> future) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
    return (QueryException) e.getCause();
  }
}
