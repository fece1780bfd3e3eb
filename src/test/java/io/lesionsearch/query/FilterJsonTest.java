package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.MinShould;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Qdrant's REST filter JSON to the gRPC filter: each construct, and refusals that name the place.
 */
class FilterJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Filter parse(String json) throws Exception {
    return FilterJson.parse(JSON.readTree(json), "filter");
  }

  @Test
  void pointIdsInEveryFormQdrantParses() throws Exception {
    UUID uuid = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
    Filter f =
        parse(
            "{\"must\": [{\"has_id\": [18446744073709551615, \"0123456789abcdef0123456789abcdef\","
                + " \"{01234567-89ab-cdef-0123-456789abcdef}\", \"urn:uuid:01234567-89ab-cdef-0123-456789abcdef\"]}]}");
    assertEquals(
        List.of(
            PointIdFactory.id(-1L),
            PointIdFactory.id(uuid),
            PointIdFactory.id(uuid),
            PointIdFactory.id(uuid)),
        f.getMust(0).getHasId().getHasIdList(),
        "2^64-1 travels as the u64 it is");
    for (String bad : new String[] {"18446744073709551616", "\"1-1-1-1-1\"", "1.5"}) {
      QueryException e =
          assertThrows(
              QueryException.class, () -> parse("{\"must\": [{\"has_id\": [" + bad + "]}]}"));
      assertEquals(ErrorCode.INVALID_FILTER, e.code(), bad);
    }
  }

  @Test
  void theTutorialsConditions() throws Exception {
    Filter f =
        parse(
            "{\"must\": [{\"key\": \"sex\", \"match\": {\"value\": \"female\"}},"
                + " {\"key\": \"dx\", \"match\": {\"except\": [\"melanoma\", \"actinic_keratoses\"]}}],"
                + " \"should\": {\"key\": \"age\", \"range\": {\"gte\": 55}},"
                + " \"must_not\": [{\"key\": \"localization\", \"match\": {\"any\": [\"face\", \"neck\"]}}]}");
    assertEquals(
        Filter.newBuilder()
            .addMust(ConditionFactory.matchKeyword("sex", "female"))
            .addMust(
                ConditionFactory.matchExceptKeywords(
                    "dx", List.of("melanoma", "actinic_keratoses")))
            .addShould(ConditionFactory.range("age", Range.newBuilder().setGte(55).build()))
            .addMustNot(ConditionFactory.matchKeywords("localization", List.of("face", "neck")))
            .build(),
        f);
  }

  @Test
  void idsNullsEmptiesNestedFiltersAndMinShould() throws Exception {
    UUID uuid = UUID.randomUUID();
    Filter f =
        parse(
            "{\"must\": [{\"has_id\": [7, \""
                + uuid
                + "\"]}, {\"is_empty\": {\"key\": \"tags\"}},"
                + " {\"is_null\": {\"key\": \"age\"}}, {\"should\": [{\"key\": \"n\", \"match\": {\"value\": 3}}]},"
                + " {\"nested\": {\"key\": \"visits\", \"filter\": {\"must\": {\"key\": \"ok\", \"match\": {\"value\": true}}}}},"
                + " {\"key\": \"tags\", \"values_count\": {\"gt\": 1}}, {\"key\": \"n\", \"match\": {\"any\": [1, 2]}}],"
                + " \"min_should\": {\"conditions\": [{\"key\": \"a\", \"match\": {\"text\": \"x\"}}], \"min_count\": 1}}");
    Condition nested =
        ConditionFactory.nested(
            "visits", Filter.newBuilder().addMust(ConditionFactory.match("ok", true)).build());
    assertEquals(
        Filter.newBuilder()
            .addMust(ConditionFactory.hasId(List.of(PointIdFactory.id(7), PointIdFactory.id(uuid))))
            .addMust(ConditionFactory.isEmpty("tags"))
            .addMust(ConditionFactory.isNull("age"))
            .addMust(
                ConditionFactory.filter(
                    Filter.newBuilder().addShould(ConditionFactory.match("n", 3L)).build()))
            .addMust(nested)
            .addMust(
                ConditionFactory.valuesCount("tags", ValuesCount.newBuilder().setGt(1).build()))
            .addMust(ConditionFactory.matchValues("n", List.of(1L, 2L)))
            .setMinShould(
                MinShould.newBuilder()
                    .addConditions(ConditionFactory.matchText("a", "x"))
                    .setMinCount(1))
            .build(),
        f);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "{\"mustt\": []}",
        "{\"must\": [{\"key\": \"dx\"}]}",
        "{\"must\": [{\"key\": \"dx\", \"match\": {\"value\": 1.5}}]}",
        "{\"must\": [{\"key\": \"dx\", \"match\": {\"any\": [\"a\", 1]}}]}",
        "{\"must\": [{\"key\": \"dx\", \"match\": {\"like\": \"a\"}}]}",
        "{\"must\": [{\"key\": \"age\", \"range\": {\"gte\": \"55\"}}]}",
        "{\"must\": [{\"key\": \"age\", \"range\": {\"above\": 55}}]}",
        "{\"must\": [{\"has_id\": [\"not-a-uuid\"]}]}",
        "{\"must\": [{\"has_id\": [-1]}]}",
        "{\"must\": [{\"key\": \"geo\", \"geo_radius\": {\"center\": {\"lon\": 0, \"lat\": 0}, \"radius\": 1}}]}",
        "{\"must\": [{\"nested\": {\"key\": \"v\"}}]}",
        "{\"must\": [42]}",
        "{\"min_should\": {\"conditions\": []}}",
        "{\"should\": []}",
        "{\"must\": [{\"should\": []}]}",
        "{\"must\": [{\"key\": \"tags\", \"values_count\": {\"lt\": 2.5}}]}",
        "{\"must\": [{\"key\": \"tags\", \"values_count\": {\"gte\": -1}}]}"
      })
  void whatCannotBeExpressedExactlyIsRefusedNamingThePlace(String json) {
    QueryException e = assertThrows(QueryException.class, () -> parse(json));
    assertEquals(ErrorCode.INVALID_FILTER, e.code());
    assertTrue(e.getMessage().startsWith("filter"), e.getMessage());
  }
}
