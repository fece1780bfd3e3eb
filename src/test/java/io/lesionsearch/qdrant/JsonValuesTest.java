package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Parsed JSON to Qdrant values, as the ingest parser builds a payload. */
class JsonValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyJsonTypeMapsToTheMatchingQdrantValue() throws Exception {
    Map<String, Value> m =
        JsonValues.of(
                JSON.readTree(
                    "{\"dx\":\"nv\",\"age\":75,\"neg\":-3,\"score\":0.25,\"exp\":1e3,\"ok\":true,"
                        + "\"bad\":false,\"none\":null,\"tags\":[\"a\",1,2.5,null,[true]],"
                        + "\"meta\":{\"site\":{\"x\":1}},\"big\":123456789012345678901234567890,"
                        + "\"long\":9007199254740993,\"uni\":\"h\\u00e9\\n\"}"))
            .getStructValue()
            .getFieldsMap();
    assertEquals("nv", m.get("dx").getStringValue());
    assertEquals(Value.KindCase.INTEGER_VALUE, m.get("age").getKindCase());
    assertEquals(75, m.get("age").getIntegerValue());
    assertEquals(-3, m.get("neg").getIntegerValue());
    assertEquals(Value.KindCase.DOUBLE_VALUE, m.get("score").getKindCase());
    assertEquals(0.25, m.get("score").getDoubleValue());
    // 1e3 is written as a float in JSON, so it stays a double even though it is whole.
    assertEquals(Value.KindCase.DOUBLE_VALUE, m.get("exp").getKindCase());
    assertTrue(m.get("ok").getBoolValue());
    assertEquals(Value.KindCase.BOOL_VALUE, m.get("bad").getKindCase());
    assertFalse(m.get("bad").getBoolValue());
    assertEquals(Value.KindCase.NULL_VALUE, m.get("none").getKindCase());
    List<Value> tags = m.get("tags").getListValue().getValuesList();
    assertEquals(5, tags.size());
    assertEquals("a", tags.get(0).getStringValue());
    assertEquals(1, tags.get(1).getIntegerValue());
    assertEquals(2.5, tags.get(2).getDoubleValue());
    assertEquals(Value.KindCase.NULL_VALUE, tags.get(3).getKindCase());
    assertTrue(tags.get(4).getListValue().getValues(0).getBoolValue());
    assertEquals(
        1,
        m.get("meta")
            .getStructValue()
            .getFieldsMap()
            .get("site")
            .getStructValue()
            .getFieldsMap()
            .get("x")
            .getIntegerValue());
    assertEquals(Value.KindCase.DOUBLE_VALUE, m.get("big").getKindCase());
    assertEquals(1.2345678901234568e29, m.get("big").getDoubleValue(), 1e15);
    // Fits a long: must stay exact, not pass through a double.
    assertEquals(9007199254740993L, m.get("long").getIntegerValue());
    assertEquals("h\u00e9\n", m.get("uni").getStringValue());
    assertEquals(13, m.size());
  }

  @Test
  void aPointsSizeIsItsProtobufSizeAndABatchOfThemFitsTheByteLimit() throws Exception {
    PointStruct p =
        PointStruct.newBuilder()
            .setId(PointIdFactory.id(UUID.randomUUID()))
            .setVectors(VectorsFactory.vectors(new float[384]))
            .putAllPayload(
                JsonValues.of(JSON.readTree("{\"dx\":\"nv\"}")).getStructValue().getFieldsMap())
            .build();
    assertTrue(
        p.getSerializedSize() >= 4 * 384 && p.getSerializedSize() < 4 * 384 + 100,
        "size " + p.getSerializedSize());
    // 1,000 such points with a generous payload fit the default batch byte limit many times.
    assertTrue(1000L * (p.getSerializedSize() + 1000) < QdrantSink.DEFAULT_MAX_BATCH_SIZE_BYTES);
  }
}
