package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PointConversionTest {
  private static final String ID = "6f1c1a3e-5b0e-5c4e-9a77-1d2f3a4b5c6d";

  @Test
  void everyJsonTypeMapsToTheMatchingQdrantValue() {
    LesionPoint p = LesionPoint.of(ID, new float[] {1f, 2f, 3f},
        "{\"dx\":\"nv\",\"age\":75,\"neg\":-3,\"score\":0.25,\"exp\":1e3,\"ok\":true,"
            + "\"bad\":false,\"none\":null,\"tags\":[\"a\",1,2.5,null,[true]],"
            + "\"meta\":{\"site\":{\"x\":1}},\"big\":123456789012345678901234567890,"
            + "\"long\":9007199254740993,\"uni\":\"h\\u00e9\\n\"}");
    PointStruct s = PointConversion.toPointStruct(p);
    assertEquals(ID, s.getId().getUuid());
    assertEquals(List.of(1f, 2f, 3f), s.getVectors().getVector().getDense().getDataList());
    Map<String, Value> m = s.getPayloadMap();
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
    assertEquals(1, m.get("meta").getStructValue().getFieldsMap().get("site").getStructValue()
        .getFieldsMap().get("x").getIntegerValue());
    assertEquals(Value.KindCase.DOUBLE_VALUE, m.get("big").getKindCase());
    assertEquals(1.2345678901234568e29, m.get("big").getDoubleValue(), 1e15);
    // Fits a long: must stay exact, not pass through a double.
    assertEquals(9007199254740993L, m.get("long").getIntegerValue());
    assertEquals("h\u00e9\n", m.get("uni").getStringValue());
    assertEquals(13, m.size());
  }

  @Test
  void missingAgeStaysMissingNotZero() {
    PointStruct s = PointConversion.toPointStruct(
        LesionPoint.of(ID, new float[] {1f}, "{\"dx\":\"mel\",\"sex\":\"male\"}"));
    assertFalse(s.getPayloadMap().containsKey("age"));
    assertEquals(2, s.getPayloadCount());
  }

  @Test
  void emptyPayloadGivesNoPayload() {
    assertEquals(0, PointConversion.toPointStruct(new LesionPoint(ID, new float[] {1f}, null))
        .getPayloadCount());
    assertEquals(0, PointConversion.toPointStruct(LesionPoint.of(ID, new float[] {1f}, "{}"))
        .getPayloadCount());
  }

  @Test
  void nonObjectOrMalformedPayloadIsRefusedNamingThePoint() {
    for (String bad : new String[] {"[1,2]", "\"x\"", "{\"a\":", "{\"a\":1} {}", "{\"a\":tru}"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PointConversion.toPointStruct(LesionPoint.of(ID, new float[] {1f}, bad)), bad);
      assertTrue(e.getMessage().contains(ID), e.getMessage());
    }
  }

  @Test
  void idMustBeAUuidAndVectorNonEmpty() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LesionPoint.of("ISIC_0024329", new float[] {1f}, "{}"));
    assertTrue(e.getMessage().contains("ISIC_0024329"));
    assertThrows(IllegalArgumentException.class, () -> LesionPoint.of(ID, new float[0], "{}"));
  }

  @Test
  void sizeCountsVectorPayloadAndId() {
    LesionPoint p = LesionPoint.of(ID, new float[384], "{\"dx\":\"nv\"}");
    long expected = 4 * 384 + 11 + 36;
    assertTrue(p.sizeInBytes() >= expected && p.sizeInBytes() < expected + 100,
        "size " + p.sizeInBytes());
    // 1,000 such points with a generous payload fit the default batch byte limit many times.
    assertTrue(1000 * (p.sizeInBytes() + 1000) < QdrantSink.DEFAULT_MAX_BATCH_SIZE_BYTES);
  }

  @Test
  void equalityIsByValue() {
    assertEquals(LesionPoint.of(ID, new float[] {1f, 2f}, "{}"),
        LesionPoint.of(ID, new float[] {1f, 2f}, "{}"));
    assertArrayEquals(new float[] {1f, 2f}, LesionPoint.of(ID, new float[] {1f, 2f}, "{}").vector());
  }
}
