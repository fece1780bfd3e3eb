package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.ImageLimits;
import io.lesionsearch.kafka.BoundedText;
import io.lesionsearch.testing.TestData;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one embedding stage: results in input order across batch boundaries, bad images reported in
 * place with a typed reason, and decoded images taken ahead of one still decoding. The real test
 * model checks the vectors; a fake encoder checks what the stage sends to the model.
 */
class EmbeddingStageTest {

  private static VitEncoder encoder;
  private static ExecutorService pool;

  @BeforeAll
  static void open() throws Exception {
    encoder = VitEncoder.open(TestData.model("vit-s16-d1/fp32"), Device.cpu());
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void close() {
    pool.shutdownNow();
    encoder.close();
  }

  @Test
  void resultsKeepInputOrderAndBadImagesDoNotDisturbTheirBatch() throws Exception {
    List<String> names =
        List.of(
            "lesion-600x450.jpg",
            "lesion-rgb.png",
            "empty",
            "lesion-small-150x100.png",
            "missing",
            "lesion-grey.jpg",
            "text",
            "lesion-cmyk.jpg",
            "lesion-palette.png",
            "lesion-tall-200x500.jpg");
    ImageBytesPreparation images =
        new ImageBytesPreparation(encoder.manifest(), new ImageDecoder(), 0);
    List<Embedded<String>> results = new ArrayList<>();
    try (EmbeddingStage<String> stage =
        new EmbeddingStage<>(
            encoder,
            name -> images.prepare(read(name)),
            pool,
            ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      stage.embedAll(names.iterator(), 3, results::add);
    }

    assertEquals(names, results.stream().map(Embedded::input).toList());
    VitPreprocessor alone = new VitPreprocessor(encoder.manifest());
    for (Embedded<String> r : results) {
      switch (r.input()) {
        case "empty" -> assertEquals(Reason.EMPTY, failure(r).reason());
        case "text" -> assertEquals(Reason.NOT_AN_IMAGE, failure(r).reason());
        case "missing" -> {
          assertEquals(Reason.UNREADABLE, failure(r).reason());
          assertTrue(
              failure(r).message().contains("FileNotFoundException: missing"),
              failure(r).message());
        }
        default -> {
          float[] vector =
              assertInstanceOf(EmbedResult.Vector.class, r.result(), r.input()).vector();
          float[] expected = encoder.embed(List.of(alone.preprocess(read(r.input())))).get(0);
          assertTrue(
              TestData.maxAbsDiff(expected, vector) <= 1e-4f,
              r.input() + " differs from its lone embedding");
        }
      }
    }
  }

  @Test
  void manyBatchesAllArrive() throws Exception {
    List<Integer> inputs = IntStream.range(0, 50).boxed().toList();
    byte[] jpeg = TestData.imageBytes("lesion-600x450.jpg");
    ImageBytesPreparation images =
        new ImageBytesPreparation(encoder.manifest(), new ImageDecoder(), 0);
    List<Embedded<Integer>> results = new ArrayList<>();
    try (EmbeddingStage<Integer> stage =
        new EmbeddingStage<>(
            encoder, i -> images.prepare(jpeg), pool, ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      stage.embedAll(inputs.iterator(), 16, results::add);
    }
    assertEquals(inputs, results.stream().map(Embedded::input).toList());
    assertTrue(results.stream().allMatch(r -> r.result() instanceof EmbedResult.Vector));
  }

  @Test
  void decodedImagesAreTakenAheadOfOneStillDecodingAndFailuresNeverReachTheModel()
      throws Exception {
    CountDownLatch slowMayEnd = new CountDownLatch(1);
    FakeEncoder.Batches batches = new FakeEncoder.Batches();
    Preparation<Integer> numbers =
        i -> {
          switch (i) {
            case 0 -> slowMayEnd.await();
            case 2 -> throw new FileNotFoundException("no such file");
            case 3 -> throw new IllegalStateException("x".repeat(1000));
            default -> {}
          }
          return new Prepared(new float[] {i}, null);
        };
    try (EmbeddingStage<Integer> stage =
        new EmbeddingStage<>(
            new FakeEncoder(batches), numbers, pool, ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      IntStream.range(0, 5).forEach(stage::submit);
      List<Decoded<Integer>> taken = new ArrayList<>();
      while (taken.size() < 4) {
        taken.addAll(stage.takeDecoded(16));
      }
      assertEquals(
          List.of(1, 2, 3, 4),
          taken.stream().map(Decoded::input).sorted().toList(),
          "0 is still decoding");
      assertEquals(0, stage.oldest());
      List<Embedded<Integer>> results =
          stage.embed(taken.stream().sorted((a, b) -> a.input() - b.input()).toList());
      assertEquals(
          List.of(2), batches.sizes(), "only the prepared images go to the model, as one batch");
      assertArrayEquals(new float[] {1}, ((EmbedResult.Vector) results.get(0).result()).vector());
      assertEquals(Reason.UNREADABLE, failure(results.get(1)).reason());
      EmbedResult.Failure bug = failure(results.get(2));
      assertEquals(Reason.FAILED, bug.reason());
      assertTrue(
          bug.message()
              .startsWith("decoding the image failed: java.lang.IllegalStateException: xxx"),
          bug.message());
      assertTrue(
          bug.message().length() < BoundedText.MESSAGE_CHARS + 40,
          "never echoes a whole message: " + bug.message());
      assertArrayEquals(new float[] {4}, ((EmbedResult.Vector) results.get(3).result()).vector());

      slowMayEnd.countDown();
      assertEquals(List.of(0), stage.takeDecoded(16).stream().map(Decoded::input).toList());
      assertEquals(0, stage.pending());
    }
  }

  @Test
  void theDecodeGetsTheFullInputWhileTheStageKeepsAndReturnsTheLightOne() throws Exception {
    Preparation<String> lengths = s -> new Prepared(new float[] {s.length()}, null);
    try (EmbeddingStage<String> stage =
        new EmbeddingStage<>(
            new FakeEncoder(new FakeEncoder.Batches()),
            lengths,
            pool,
            ImageLimits.DEFAULT_DECODE_TIMEOUT)) {
      stage.submit("a", "a with its image bytes");
      assertEquals("a", stage.oldest());
      Decoded<String> decoded = stage.takeOldest(1).get(0);
      assertEquals("a", decoded.input());
      assertArrayEquals(
          new float[] {"a with its image bytes".length()}, decoded.prepared().pixels());
      assertEquals("a", stage.embed(List.of(decoded)).get(0).input());
    }
  }

  @Test
  void aDecodePastTheTimeoutIsInterruptedAndFailsAsTimeout() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    Preparation<String> hangs =
        s -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.countDown();
            throw e;
          }
          return null;
        };
    try (EmbeddingStage<String> stage =
        new EmbeddingStage<>(
            new FakeEncoder(new FakeEncoder.Batches()), hangs, pool, Duration.ofMillis(20))) {
      stage.submit("hang");
      EmbedResult.Failure timeout = stage.takeOldest(1).get(0).failure();
      assertEquals(Reason.TIMEOUT, timeout.reason());
      assertTrue(timeout.message().contains("took longer than 20 ms"), timeout.message());
      interrupted.await(); // the decode thread is given back, not left hanging
    }
  }

  private static EmbedResult.Failure failure(Embedded<?> r) {
    return assertInstanceOf(EmbedResult.Failure.class, r.result(), String.valueOf(r.input()));
  }

  private static byte[] read(String name) throws Exception {
    return switch (name) {
      case "empty" -> new byte[0];
      case "text" -> "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      case "missing" -> throw new FileNotFoundException(name);
      default -> TestData.imageBytes(name);
    };
  }
}
