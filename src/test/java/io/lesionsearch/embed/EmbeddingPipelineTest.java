package io.lesionsearch.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.lesionsearch.image.ImageDecodeException.Reason;
import io.lesionsearch.testing.TestData;
import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Results come back in input order, across batch boundaries, with bad images reported in place. */
class EmbeddingPipelineTest {

  private static VitEncoder encoder;
  private static ExecutorService pool;

  @BeforeAll
  static void open() throws Exception {
    encoder = VitEncoder.open(TestData.model("vit-s16-d1-fp32"), Device.cpu());
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void close() {
    pool.shutdownNow();
    encoder.close();
  }

  @Test
  void resultsKeepInputOrderAndBadImagesDoNotDisturbTheirBatch() throws Exception {
    List<String> names = List.of(
        "lesion-600x450.jpg", "lesion-rgb.png", "empty", "lesion-small-150x100.png", "missing",
        "lesion-grey.jpg", "text", "lesion-cmyk.jpg", "lesion-palette.png", "lesion-tall-200x500.jpg");
    List<Embedded<String>> results = new ArrayList<>();
    new EmbeddingPipeline(encoder, pool, 3).run(names.iterator(), EmbeddingPipelineTest::read, results::add);

    assertEquals(names, results.stream().map(Embedded::input).toList());
    for (Embedded<String> r : results) {
      switch (r.input()) {
        case "empty" -> assertEquals(Reason.EMPTY, r.error().reason());
        case "text" -> assertEquals(Reason.NOT_AN_IMAGE, r.error().reason());
        case "missing" -> {
          assertEquals(Reason.UNREADABLE, r.error().reason());
          assertTrue(r.error().getMessage().contains("cannot read missing"), r.error().getMessage());
        }
        default -> {
          assertTrue(r.ok(), r.input() + ": " + r.error());
          assertNull(r.error());
          float[] alone = encoder.embed(List.of(encoder.preprocessor().preprocess(read(r.input())))).get(0);
          assertTrue(TestData.maxAbsDiff(alone, r.vector()) <= 1e-4f, r.input() + " differs from its lone embedding");
        }
      }
    }
  }

  @Test
  void manyBatchesAllArrive() throws Exception {
    List<Integer> inputs = IntStream.range(0, 50).boxed().toList();
    byte[] jpeg = TestData.imageBytes("lesion-600x450.jpg");
    List<Embedded<Integer>> results = new ArrayList<>();
    new EmbeddingPipeline(encoder, pool, 16).run(inputs.iterator(), i -> jpeg, results::add);
    assertEquals(inputs, results.stream().map(Embedded::input).toList());
    assertFalse(results.stream().anyMatch(r -> !r.ok()));
  }

  private static byte[] read(String name) throws Exception {
    return switch (name) {
      case "empty" -> new byte[0];
      case "text" -> "hello".getBytes();
      case "missing" -> throw new FileNotFoundException(name);
      default -> TestData.imageBytes(name);
    };
  }
}
