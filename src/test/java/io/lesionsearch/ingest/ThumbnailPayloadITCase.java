package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.PointOp;
import io.lesionsearch.qdrant.PointOpTypeInfo;
import io.lesionsearch.qdrant.PointStructTypeInfo;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.Payloads;
import io.lesionsearch.testing.TestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --thumbnail-size}: the embed operator puts a JPEG preview of the right size into the
 * payload.
 */
class ThumbnailPayloadITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachPayloadCarriesAThumbnailWhoseLongestSideIsTheOption() throws Exception {
    Map<String, int[]> expected =
        Map.of(
            "lesion-600x450.jpg", new int[] {128, 96},
            "lesion-tall-200x500.jpg", new int[] {51, 128},
            "lesion-cmyk.jpg", new int[] {128, 96},
            "lesion-small-150x100.png", new int[] {128, 85});
    Map<String, JsonNode> payloads = embed(expected.keySet(), 128);
    assertEquals(expected.keySet(), payloads.keySet());
    for (Map.Entry<String, int[]> e : expected.entrySet()) {
      JsonNode payload = payloads.get(e.getKey());
      BufferedImage thumb =
          ImageIO.read(
              new ByteArrayInputStream(
                  Base64.getDecoder().decode(payload.get(LesionPayload.THUMBNAIL).asText())));
      assertEquals(e.getValue()[0], thumb.getWidth(), e.getKey());
      assertEquals(e.getValue()[1], thumb.getHeight(), e.getKey());
      assertEquals("nv", payload.get("dx").asText(), "the metadata is still there");
    }
  }

  @Test
  void withoutTheOptionNoThumbnailIsStored() throws Exception {
    JsonNode payload = embed(List.of("lesion-600x450.jpg"), 0).get("lesion-600x450.jpg");
    assertFalse(payload.has(LesionPayload.THUMBNAIL), payload.toString());
  }

  @Test
  void theOptionDefaultsToOffAndRefusesSizesThatWouldCrowdThePoint() {
    assertEquals(0, IngestOptions.parse("--model", "/m").thumbnailSize());
    assertEquals(
        128, IngestOptions.parse("--model", "/m", "--thumbnail-size", "128").thumbnailSize());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> IngestOptions.parse("--model", "/m", "--thumbnail-size", "2000"));
    assertTrue(e.getMessage().contains("--thumbnail-size"), e.getMessage());
  }

  private static Map<String, JsonNode> embed(Iterable<String> images, int thumbnailSize)
      throws Exception {
    List<IngestMessage> inputs = new ArrayList<>();
    int offset = 0;
    for (String name : images) {
      byte[] payload =
          ("{\"image_id\": \"" + name + "\", \"dx\": \"nv\"}").getBytes(StandardCharsets.UTF_8);
      SourceRecord source =
          new SourceRecord(
              "lesion-images", 0, offset++, name.getBytes(StandardCharsets.UTF_8), payload);
      inputs.add(
          new ImageToEmbed(
              source,
              name,
              TestData.imageBytes(name),
              null,
              Payloads.struct(new String(payload, StandardCharsets.UTF_8))));
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    OutputTag<DeadLetter> dlq = new OutputTag<>("dlq", TypeInformation.of(DeadLetter.class));
    Map<String, JsonNode> payloads = new HashMap<>();
    try (CloseableIterator<String> it =
        env.fromData(inputs, TypeInformation.of(IngestMessage.class))
            .transform(
                "embed",
                TypeInformation.of(IndexChange.class),
                new EmbedOperator(
                    EmbedSettings.of(TestData.model("vit-s16-d1/fp32").toString(), 16, 50)
                        .withThumbnails(thumbnailSize),
                    dlq))
            .map(new LesionOps())
            .returns(PointOpTypeInfo.INSTANCE)
            .map(op -> ((PointOp.Upsert) op).point())
            .returns(PointStructTypeInfo.INSTANCE)
            .map(p -> Payloads.json(p).toString())
            .executeAndCollect()) {
      while (it.hasNext()) {
        JsonNode payload = JSON.readTree(it.next());
        payloads.put(payload.get("image_id").asText(), payload);
      }
    }
    return payloads;
  }
}
