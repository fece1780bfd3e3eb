package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.embed.VitEncoder;
import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrant.PointOp;
import io.lesionsearch.qdrant.PointOpTypeInfo;
import io.lesionsearch.qdrant.PointStructTypeInfo;
import io.lesionsearch.testing.Flink;
import io.lesionsearch.testing.Payloads;
import io.lesionsearch.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedding operator on the real Flink runtime with the real test model, as the job wires it
 * (followed by {@link LesionPoints}): batches, vectors, payloads and dead letters.
 */
class EmbedOperatorOnFlinkITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = Flink.miniCluster();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] IMAGES = {
    "lesion-600x450.jpg",
    "lesion-rgb.png",
    "lesion-grey.jpg",
    "lesion-palette.png",
    "lesion-cmyk.jpg"
  };

  /** The same operator whichever engine the model directory names. */
  @ParameterizedTest
  @ValueSource(strings = {"vit-s16-d1/fp32", "vit-s16-d1/onnx-fp32"})
  void embedsEveryGoodImageAndDeadLettersTheRest(String model) throws Exception {
    List<IngestMessage> inputs = new ArrayList<>();
    for (int i = 0; i < 37; i++) {
      String name = IMAGES[i % IMAGES.length];
      inputs.add(image("img-" + i, TestData.imageBytes(name), null));
    }
    inputs.add(image("corrupt", "not an image".getBytes(StandardCharsets.UTF_8), null));
    inputs.add(image("missing-file", null, "/nonexistent/lesion.jpg"));
    inputs.add(image("from-uri", null, TestData.image("lesion-rgb.png").toUri().toString()));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    OutputTag<DeadLetter> dlq = new OutputTag<>("dlq", TypeInformation.of(DeadLetter.class));
    SingleOutputStreamOperator<IndexChange> embedded =
        env.fromData(inputs, TypeInformation.of(IngestMessage.class))
            .transform(
                "embed",
                TypeInformation.of(IndexChange.class),
                new EmbedOperator(
                    EmbedSettings.of(TestData.model(model).toString(), 16, 50)
                        .withImageRoots(
                            List.of(TestData.image("lesion-rgb.png").getParent().toString())),
                    dlq));
    DataStream<String> tagged =
        embedded
            .map(new LesionOps())
            .returns(PointOpTypeInfo.INSTANCE)
            .map(op -> ((PointOp.Upsert) op).point())
            .returns(PointStructTypeInfo.INSTANCE)
            .map(
                p ->
                    "point "
                        + p.getId().getUuid()
                        + " "
                        + Payloads.json(p)
                        + " "
                        + vectorJson(p.getVectors().getVector().getDense().getDataList()))
            .union(
                embedded
                    .getSideOutput(dlq)
                    .map(d -> "dead " + d.source().offset() + " " + d.stage() + " " + d.message()));

    List<String> out = new ArrayList<>();
    try (CloseableIterator<String> it = tagged.executeAndCollect()) {
      it.forEachRemaining(out::add);
    }

    Map<String, float[]> expected = new HashMap<>();
    try (VitEncoder encoder = VitEncoder.open(TestData.model(model), Device.cpu())) {
      for (String name : IMAGES) {
        expected.put(
            name,
            encoder
                .embed(
                    List.of(
                        new VitPreprocessor(encoder.manifest())
                            .preprocess(TestData.imageBytes(name))))
                .get(0));
      }
    }
    List<String> embeddedIds = new ArrayList<>();
    List<String> dead = new ArrayList<>();
    for (String line : out) {
      if (line.startsWith("dead ")) {
        dead.add(line);
        continue;
      }
      String[] parts = line.split(" ", 4);
      JsonNode payload = JSON.readTree(parts[2]);
      String imageId = payload.get("image_id").asText();
      embeddedIds.add(imageId);
      assertEquals(PointIds.forImageId(imageId).toString(), parts[1]);
      assertEquals("random/vit-s16-depth1-seed42", payload.get("model_id").asText());
      assertTrue(
          payload.get("ingested_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"),
          payload.toString());
      String source =
          imageId.equals("from-uri")
              ? "lesion-rgb.png"
              : IMAGES[Integer.parseInt(imageId.substring(4)) % IMAGES.length];
      float[] vector = VectorJson.parse(parts[3]);
      assertTrue(
          TestData.maxAbsDiff(expected.get(source), vector) <= 1e-4f,
          imageId + " vector differs from the encoder's");
    }
    List<String> expectedIds = new ArrayList<>();
    for (int i = 0; i < 37; i++) {
      expectedIds.add("img-" + i);
    }
    expectedIds.add("from-uri");
    java.util.Collections.sort(expectedIds);
    java.util.Collections.sort(embeddedIds);
    assertEquals(
        expectedIds, embeddedIds, "each good image exactly once: 37 inline + 1 from a URI");
    assertEquals(2, dead.size(), dead.toString());
    assertTrue(
        dead.stream().anyMatch(d -> d.startsWith("dead 37 embed not an image")), dead.toString());
    assertTrue(
        dead.stream()
            .anyMatch(d -> d.startsWith("dead 38 embed") && d.contains("/nonexistent/lesion.jpg")),
        dead.toString());
  }

  private static ImageToEmbed image(String id, byte[] bytes, String uri) {
    String payload = "{\"image_id\": \"" + id + "\", \"dx\": \"nv\"}";
    int offset =
        Integer.parseInt(
            id.startsWith("img-")
                ? id.substring(4)
                : switch (id) {
                  case "corrupt" -> "37";
                  case "missing-file" -> "38";
                  default -> "39";
                });
    SourceRecord source =
        new SourceRecord(
            "lesion-images",
            0,
            offset,
            id.getBytes(StandardCharsets.UTF_8),
            payload.getBytes(StandardCharsets.UTF_8));
    return new ImageToEmbed(source, id, bytes, uri, Payloads.struct(payload));
  }

  private static String vectorJson(List<Float> v) throws Exception {
    return JSON.writeValueAsString(v);
  }

  private static final class VectorJson {
    static float[] parse(String json) throws Exception {
      return JSON.readValue(json, float[].class);
    }
  }
}
