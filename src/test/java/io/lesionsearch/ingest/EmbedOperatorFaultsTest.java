package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.image.ImageLimits;
import io.lesionsearch.image.PixelBudget;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.qdrant.PointStructSerializer;
import io.lesionsearch.testing.Payloads;
import io.qdrant.client.grpc.Points.PointStruct;
import io.lesionsearch.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One image's decode that throws an Error or never ends costs that image a dead letter, and every
 * other image of its batch is still embedded: the operator, on Flink's test harness, with the real
 * test model and a decode step made to fail for chosen image_ids.
 */
class EmbedOperatorFaultsTest {

  /** Never opened while the test runs: a decode that waits on it hangs. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);
  private static final OutputTag<DeadLetter> DLQ = new OutputTag<>("dlq", TypeInformation.of(DeadLetter.class));

  @AfterAll
  static void releaseHungDecodes() {
    NEVER.countDown();
  }

  @Test
  void errorsAndHangsOfOneDecodeAreThatImagesDeadLetter() throws Exception {
    ImagePreparation.Factory faulty = (pre, decoder, files, thumbnails) -> image -> switch (image.imageId()) {
      case "overflow" -> throw new StackOverflowError();
      case "oom" -> throw new OutOfMemoryError("Java heap space");
      case "npe" -> throw new NullPointerException("a bug in a decoder");
      case "hang" -> {
        NEVER.await();
        throw new IllegalStateException("released after the test");
      }
      default -> ImagePreparation.standard(pre, decoder, files, thumbnails).prepare(image);
    };
    ImageLimits limits = new ImageLimits(1 << 20, 1_000_000, PixelBudget.DEFAULT_PIXELS, Duration.ofMillis(300));
    EmbedSettings settings = EmbedSettings.of(TestData.model("vit-s16-d1-fp32").toString(), 16, 50).withImages(limits);
    List<String> ids = List.of("good-1", "overflow", "oom", "good-2", "npe", "hang", "good-3");

    Map<String, String> deadLetters = new HashMap<>();
    List<PointStruct> points;
    try (OneInputStreamOperatorTestHarness<ImageToEmbed, PointStruct> harness =
        new OneInputStreamOperatorTestHarness<>(new EmbedOperator(settings, DLQ, faulty))) {
      harness.setup(PointStructSerializer.INSTANCE); // protobuf points are no Kryo material
      harness.open();
      long offset = 0;
      for (String id : ids) {
        harness.processElement(image(id, offset++), 0);
      }
      harness.endInput();
      points = harness.extractOutputValues();
      for (StreamRecord<DeadLetter> r : harness.getSideOutput(DLQ)) {
        deadLetters.put(new String(r.getValue().source().key(), StandardCharsets.UTF_8),
            r.getValue().errorClass() + ": " + r.getValue().message());
      }
    }

    assertEquals(List.of("good-1", "good-2", "good-3"), points.stream().map(p -> imageId(p)).sorted().toList());
    assertEquals(4, deadLetters.size(), deadLetters.toString());
    assertTrue(deadLetters.get("overflow").startsWith("java.lang.StackOverflowError"), deadLetters.toString());
    assertTrue(deadLetters.get("oom").startsWith("java.lang.OutOfMemoryError: Java heap space"), deadLetters.toString());
    assertTrue(deadLetters.get("npe").contains("a bug in a decoder"), deadLetters.toString());
    assertTrue(deadLetters.get("hang").contains("took longer than 300 ms"), deadLetters.toString());
  }

  private static String imageId(PointStruct p) {
    return p.getPayloadMap().get("image_id").getStringValue();
  }

  private static ImageToEmbed image(String id, long offset) {
    byte[] payload = ("{\"image_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    SourceRecord source = new SourceRecord("in", 0, offset, id.getBytes(StandardCharsets.UTF_8), payload);
    return new ImageToEmbed(source, id, TestData.imageBytes("lesion-600x450.jpg"), null, Payloads.struct(new String(payload, StandardCharsets.UTF_8)));
  }
}
