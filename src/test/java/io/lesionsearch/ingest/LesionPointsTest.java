package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.payload.LesionPayload;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.testing.Payloads;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lesion mapping from an embedded image to the point the sink writes. */
class LesionPointsTest {

  private static EmbeddedImage embedded(String thumbnail) {
    String json = "{\"image_id\": \"ISIC_1\", \"dx\": \"nv\", \"age\": 45}";
    SourceRecord source =
        new SourceRecord(
            "in",
            0,
            3,
            "ISIC_1".getBytes(StandardCharsets.UTF_8),
            json.getBytes(StandardCharsets.UTF_8));
    ImageToEmbed image =
        new ImageToEmbed(source, "ISIC_1", new byte[] {1}, null, Payloads.struct(json));
    return new EmbeddedImage(
        image, new float[] {0.5f, -1f}, thumbnail, "vit-test", 1_700_000_000_123L);
  }

  @Test
  void thePointCarriesTheNameBasedIdTheVectorAndTheParsersPayloadPlusTheJobsFields()
      throws Exception {
    PointStruct p = new LesionPoints().map(embedded("AAAA"));
    assertEquals(PointIds.forImageId("ISIC_1").toString(), p.getId().getUuid());
    assertEquals(List.of(0.5f, -1f), p.getVectors().getVector().getDense().getDataList());
    Map<String, Value> payload = p.getPayloadMap();
    assertEquals("nv", payload.get(LesionPayload.DX).getStringValue());
    assertEquals(Value.KindCase.INTEGER_VALUE, payload.get(LesionPayload.AGE).getKindCase());
    assertEquals(
        "2023-11-14T22:13:20.123Z", payload.get(LesionPayload.INGESTED_AT).getStringValue());
    assertEquals("vit-test", payload.get(LesionPayload.MODEL_ID).getStringValue());
    assertEquals("AAAA", payload.get(LesionPayload.THUMBNAIL).getStringValue());
    assertEquals(6, payload.size(), payload.keySet().toString());
  }

  @Test
  void noThumbnailMeansNoThumbnailField() throws Exception {
    assertFalse(
        LesionPoints.toPoint(embedded(null)).getPayloadMap().containsKey(LesionPayload.THUMBNAIL));
  }
}
