package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.embed.FakeEncoder;
import io.lesionsearch.embed.Prepared;
import io.lesionsearch.image.ImageDecodeException;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.image.ImageLimits;
import io.lesionsearch.image.PixelBudget;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * When the embed operator infers and what it emits, on Flink's operator test harness with its
 * processing-time clock as a fake clock and a fake model: the timer, checkpoint-barrier and
 * end-of-input flushes, full batches, and every failure of one image as that image's dead letter.
 */
class EmbedOperatorTest {

  private static final OutputTag<DeadLetter> DLQ =
      new OutputTag<>("dlq", TypeInformation.of(DeadLetter.class));

  /** Never opened while the tests run: a decode that waits on it hangs. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);

  /** Image i's tensor is {i}, so with the fake encoder its vector is {i} too. */
  private static final ImagePreparation.Factory NUMBERED =
      (manifest, settings) ->
          image ->
              switch (image.imageId()) {
                case "overflow" -> throw new StackOverflowError();
                case "oom" -> throw new OutOfMemoryError("Java heap space");
                case "npe" -> throw new NullPointerException("a bug in a decoder");
                case "hang" -> {
                  NEVER.await();
                  throw new IllegalStateException("released after the test");
                }
                default -> new Prepared(new float[] {Integer.parseInt(image.imageId())}, null);
              };

  private final FakeEncoder.Batches batches = new FakeEncoder.Batches();

  @AfterAll
  static void releaseHungDecodes() {
    NEVER.countDown();
  }

  @Test
  void aPartialBatchIsInferredOnceItsOldestImageHasWaitedMaxDelayAndNotBefore() throws Exception {
    try (var harness = harness(settings(4, 100), NUMBERED)) {
      harness.setProcessingTime(1_000);
      harness.open();
      send(harness, "0", "1", "2");
      harness.setProcessingTime(1_099);
      assertEquals(List.of(), images(harness));

      harness.setProcessingTime(1_100);
      assertEquals(List.of(0, 1, 2), vectors(harness));
      assertEquals(List.of(3), batches.sizes());
      assertEquals(1_100, images(harness).get(0).embeddedAtMillis());
      assertEquals("fake/identity", images(harness).get(0).modelId());

      // The timer is armed again for the next image, from when that one arrived.
      harness.setProcessingTime(1_150);
      send(harness, "3");
      harness.setProcessingTime(1_249);
      assertEquals(3, images(harness).size());
      harness.setProcessingTime(1_250);
      assertEquals(List.of(0, 1, 2, 3), vectors(harness));
    }
  }

  @Test
  void everythingPendingIsInferredBeforeTheCheckpointBarrier() throws Exception {
    try (var harness = harness(settings(4, 100), NUMBERED)) {
      harness.setProcessingTime(0);
      harness.open();
      send(harness, "0", "1");
      harness.prepareSnapshotPreBarrier(1);
      assertEquals(List.of(0, 1), vectors(harness));
      harness.snapshot(1, 0);
      assertEquals(List.of(2), batches.sizes());
    }
  }

  @Test
  void everythingPendingIsInferredAtTheEndOfInput() throws Exception {
    try (var harness = harness(settings(4, 100), NUMBERED)) {
      harness.open();
      send(harness, "0", "1", "2", "3", "4");
      harness.endInput();
      assertEquals(List.of(0, 1, 2, 3, 4), vectors(harness));
      assertEquals(List.of(4, 1), batches.sizes());
    }
  }

  @Test
  void aFullBatchIsInferredOnceTheNextBatchIsPendingBehindIt() throws Exception {
    try (var harness = harness(settings(2, 100), NUMBERED)) {
      harness.open();
      send(harness, "0", "1", "2");
      assertEquals(List.of(), images(harness), "the batch behind the first is not full yet");
      send(harness, "3");
      assertEquals(List.of(0, 1), vectors(harness));
      assertEquals(List.of(2), batches.sizes());
      harness.endInput();
      assertEquals(List.of(0, 1, 2, 3), vectors(harness));
      assertEquals(List.of(2, 2), batches.sizes());
    }
    assertTrue(batches.closed(), "the operator closes its encoder");
  }

  @Test
  void aBadImageIsADeadLetterWhileItsBatchMatesBecomeImages() throws Exception {
    EmbedSettings settings =
        settings(16, 100)
            .withThumbnails(32)
            .withImageRoots(List.of(TestData.image("lesion-rgb.png").getParent().toString()));
    try (var harness = harness(settings, ImagePreparation::new)) {
      harness.open();
      harness.processElement(
          image("good-inline", TestData.imageBytes("lesion-small-150x100.png"), null, 0), 0);
      ImageToEmbed sent = image("not-an-image", "hello".getBytes(StandardCharsets.UTF_8), null, 1);
      harness.processElement(sent, 0);
      harness.processElement(
          image("good-uri", null, TestData.image("lesion-rgb.png").toString(), 2), 0);
      harness.processElement(image("outside-roots", null, "/etc/passwd", 3), 0);
      harness.endInput();

      List<EmbeddedImage> out = images(harness);
      assertEquals(
          List.of("good-inline", "good-uri"), out.stream().map(e -> e.image().imageId()).toList());
      assertEquals(List.of(2), batches.sizes(), "both good images in one batch");
      for (EmbeddedImage e : out) {
        assertEquals(
            3 * 8 * 8,
            e.vector().length,
            "the fake model's 8x8 input, made by the real preparation");
        assertNotNull(e.thumbnail(), "a preview from the same decode");
        assertNull(
            e.image().image(), "the image bytes stay with the decode, not with the waiting record");
      }
      assertEquals(TestData.image("lesion-rgb.png").toString(), out.get(1).image().imageUri());
      Map<String, DeadLetter> dead = deadLetters(harness);
      assertEquals(List.of("not-an-image", "outside-roots"), List.copyOf(dead.keySet()));
      for (DeadLetter d : dead.values()) {
        assertEquals(EmbedOperator.STAGE, d.stage());
        assertEquals(ImageDecodeException.class.getName(), d.errorClass());
      }
      assertEquals(Reason.NOT_AN_IMAGE.name(), dead.get("not-an-image").reason());
      assertEquals(Reason.UNREADABLE.name(), dead.get("outside-roots").reason());
      assertArrayEquals(
          sent.source().value(),
          dead.get("not-an-image").source().value(),
          "the dead letter keeps the original record, for replay");
      assertTrue(dead.get("not-an-image").message().startsWith("not an image"), dead.toString());
      assertTrue(
          dead.get("outside-roots").message().contains("outside every --image-root"),
          dead.toString());
    }
  }

  @Test
  void aDeletionWaitsForThePendingImagesBeforeItAndOvertakesNone() throws Exception {
    try (var harness = harness(settings(4, 100), NUMBERED)) {
      harness.setProcessingTime(0);
      harness.open();
      send(harness, "0", "1");
      assertEquals(List.of(), harness.extractOutputValues(), "a batch of 4 is not full yet");
      Deletion deletion = Deletion.ofImage(image("1", null, null, 2).source(), "1", null);
      harness.processElement(deletion, 0);
      send(harness, "2");
      harness.endInput();

      List<IndexChange> out = harness.extractOutputValues();
      assertEquals(4, out.size(), out.toString());
      assertEquals("0", ((EmbeddedImage) out.get(0)).image().imageId());
      assertEquals("1", ((EmbeddedImage) out.get(1)).image().imageId());
      assertEquals(deletion, out.get(2), "after the upsert of the image it deletes");
      assertEquals("2", ((EmbeddedImage) out.get(3)).image().imageId());
      assertEquals(List.of(2, 1), batches.sizes(), "the deletion flushed the partial batch");
    }
  }

  @Test
  void errorsAndHangsOfOneDecodeAreThatImagesDeadLetter() throws Exception {
    ImageLimits limits =
        new ImageLimits(1 << 20, 1_000_000, PixelBudget.DEFAULT_PIXELS, Duration.ofMillis(50));
    try (var harness = harness(settings(16, 100).withImages(limits), NUMBERED)) {
      harness.open();
      send(harness, "1", "overflow", "oom", "2", "npe", "hang", "3");
      harness.endInput();

      assertEquals(List.of(1, 2, 3), vectors(harness));
      Map<String, DeadLetter> dead = deadLetters(harness);
      assertEquals(4, dead.size(), dead.toString());
      assertTrue(
          dead.get("overflow").message().contains("java.lang.StackOverflowError"), dead.toString());
      assertTrue(
          dead.get("oom").message().contains("java.lang.OutOfMemoryError: Java heap space"),
          dead.toString());
      assertTrue(dead.get("npe").message().contains("a bug in a decoder"), dead.toString());
      assertTrue(dead.get("hang").message().contains("took longer than 50 ms"), dead.toString());
      assertEquals(Reason.TIMEOUT.name(), dead.get("hang").reason());
      for (String failed : List.of("overflow", "oom", "npe")) {
        assertEquals(Reason.FAILED.name(), dead.get(failed).reason(), failed);
      }
    }
  }

  private OneInputStreamOperatorTestHarness<IngestMessage, IndexChange> harness(
      EmbedSettings settings, ImagePreparation.Factory preparations) throws Exception {
    var harness =
        new OneInputStreamOperatorTestHarness<IngestMessage, IndexChange>(
            new EmbedOperator(settings, DLQ, batches.factory(), preparations));
    // The job's output type: images and deletions on one stream.
    harness.setup(
        TypeInformation.of(IndexChange.class)
            .createSerializer(
                new org.apache.flink.api.common.serialization.SerializerConfigImpl()));
    return harness;
  }

  private static EmbedSettings settings(int batchSize, long maxDelayMs) {
    return EmbedSettings.of("/no/model/needed", batchSize, maxDelayMs);
  }

  private static void send(
      OneInputStreamOperatorTestHarness<IngestMessage, IndexChange> harness, String... ids)
      throws Exception {
    for (String id : ids) {
      harness.processElement(image(id, new byte[] {1}, null, 0), 0);
    }
  }

  /** The embedded images among the outputs, in order. */
  private static List<EmbeddedImage> images(
      OneInputStreamOperatorTestHarness<IngestMessage, IndexChange> harness) {
    return harness.extractOutputValues().stream()
        .filter(EmbeddedImage.class::isInstance)
        .map(EmbeddedImage.class::cast)
        .toList();
  }

  /** Each output's vector, which the fake encoder makes the image's number. */
  private static List<Integer> vectors(
      OneInputStreamOperatorTestHarness<IngestMessage, IndexChange> harness) {
    return images(harness).stream()
        .map(
            e -> {
              assertArrayEquals(
                  new float[] {Integer.parseInt(e.image().imageId())},
                  e.vector(),
                  e.image().imageId());
              return (int) e.vector()[0];
            })
        .toList();
  }

  private static Map<String, DeadLetter> deadLetters(
      OneInputStreamOperatorTestHarness<IngestMessage, IndexChange> harness) {
    Map<String, DeadLetter> dead = new TreeMap<>();
    for (StreamRecord<DeadLetter> r : harness.getSideOutput(DLQ)) {
      dead.put(new String(r.getValue().source().key(), StandardCharsets.UTF_8), r.getValue());
    }
    return dead;
  }

  private static ImageToEmbed image(String id, byte[] bytes, String uri, long offset) {
    byte[] payload = ("{\"image_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    SourceRecord source =
        new SourceRecord("in", 0, offset, id.getBytes(StandardCharsets.UTF_8), payload);
    return new ImageToEmbed(source, id, bytes, uri, payload);
  }
}
