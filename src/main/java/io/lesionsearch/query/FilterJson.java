package io.lesionsearch.query;

import static io.qdrant.client.ConditionFactory.filter;
import static io.qdrant.client.ConditionFactory.hasId;
import static io.qdrant.client.ConditionFactory.hasVector;
import static io.qdrant.client.ConditionFactory.isEmpty;
import static io.qdrant.client.ConditionFactory.isNull;
import static io.qdrant.client.ConditionFactory.nested;

import com.fasterxml.jackson.databind.JsonNode;
import io.qdrant.client.ConditionFactory;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.MinShould;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.ValuesCount;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Qdrant's REST filter JSON (what Qdrant's documentation shows and users paste) as the gRPC {@link
 * Filter} the Java client sends. Anything this cannot express exactly is refused with a message
 * naming the place in the filter, rather than guessed at: a filter silently loosened would return
 * cases the clinician excluded.
 */
public final class FilterJson {

  private static final Set<String> FILTER_KEYS = Set.of("must", "should", "must_not", "min_should");
  private static final Set<String> FIELD_KEYS = Set.of("key", "match", "range", "values_count");

  /**
   * Filters nest at most this deep. Each level is two or three protobuf messages, and Qdrant, like
   * the client, refuses messages nested over 100 deep; a deeper filter is refused here with its
   * place instead of failing in gRPC.
   */
  public static final int MAX_DEPTH = 24;

  private FilterJson() {}

  /**
   * @param where the filter's place in the request, for messages (e.g. {@code filter} or {@code
   *     searches[1].filter})
   */
  public static Filter parse(JsonNode json, String where) throws QueryException {
    return parse(json, where, 1);
  }

  private static Filter parse(JsonNode json, String where, int depth) throws QueryException {
    if (depth > MAX_DEPTH) {
      throw invalid(where, "filters nest more than " + MAX_DEPTH + " deep");
    }
    if (json == null || !json.isObject()) {
      throw invalid(
          where, "must be an object with must / should / must_not / min_should, got " + type(json));
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FILTER_KEYS.contains(name)) {
        throw invalid(
            where,
            "unknown field \"" + name + "\" (expected must, should, must_not or min_should)");
      }
    }
    Filter.Builder b = Filter.newBuilder();
    b.addAllMust(conditions(json.get("must"), where + ".must", depth));
    JsonNode should = json.get("should");
    if (should != null && should.isArray() && should.isEmpty()) {
      // Qdrant's REST API matches nothing with an empty should; over gRPC an empty list means no
      // should at all and matches everything. Refused rather than loosened.
      throw invalid(
          where + ".should", "is an empty list, which matches no point; leave it out instead");
    }
    b.addAllShould(conditions(should, where + ".should", depth));
    b.addAllMustNot(conditions(json.get("must_not"), where + ".must_not", depth));
    JsonNode minShould = json.get("min_should");
    if (minShould != null && !minShould.isNull()) {
      b.setMinShould(minShould(minShould, where + ".min_should", depth));
    }
    return b.build();
  }

  /** Qdrant takes one condition or a list of them in must / should / must_not. */
  private static List<Condition> conditions(JsonNode json, String where, int depth)
      throws QueryException {
    List<Condition> out = new ArrayList<>();
    if (json == null || json.isNull()) {
      return out;
    }
    if (json.isArray()) {
      for (int i = 0; i < json.size(); i++) {
        out.add(condition(json.get(i), where + "[" + i + "]", depth));
      }
    } else {
      out.add(condition(json, where, depth));
    }
    return out;
  }

  private static MinShould minShould(JsonNode json, String where, int depth) throws QueryException {
    if (!json.isObject()
        || !json.path("conditions").isArray()
        || !json.path("min_count").canConvertToExactIntegral()
        || json.get("min_count").asLong() < 0) {
      throw invalid(where, "must be {\"conditions\": [...], \"min_count\": N} with N >= 0");
    }
    return MinShould.newBuilder()
        .addAllConditions(conditions(json.get("conditions"), where + ".conditions", depth))
        .setMinCount(json.get("min_count").asLong())
        .build();
  }

  private static Condition condition(JsonNode json, String where, int depth) throws QueryException {
    if (json == null || !json.isObject()) {
      throw invalid(where, "a condition must be an object, got " + type(json));
    }
    if (json.has("key")) {
      return field(json, where);
    }
    if (json.size() == 1) {
      String kind = json.fieldNames().next();
      JsonNode body = json.get(kind);
      switch (kind) {
        case "has_id":
          return hasId(pointIds(body, where + ".has_id"));
        case "is_empty":
          return isEmpty(keyOf(body, where + ".is_empty"));
        case "is_null":
          return isNull(keyOf(body, where + ".is_null"));
        case "has_vector":
          if (!body.isTextual()) {
            throw invalid(
                where + ".has_vector", "must be a vector name (\"\" for the unnamed vector)");
          }
          return hasVector(body.asText());
        case "nested":
          if (!body.has("filter")) {
            throw invalid(where + ".nested", "must be {\"key\": ..., \"filter\": {...}}");
          }
          return nested(
              keyOf(body, where + ".nested"),
              parse(body.get("filter"), where + ".nested.filter", depth + 1));
        default:
          break;
      }
    }
    if (json.size() >= 1 && allIn(json, FILTER_KEYS)) {
      return filter(parse(json, where, depth + 1));
    }
    throw invalid(
        where,
        "not a condition Qdrant knows: expected a field condition (key with match, range or"
            + " values_count), has_id, is_empty, is_null, has_vector, nested, or a nested filter; got "
            + json);
  }

  private static Condition field(JsonNode json, String where) throws QueryException {
    String key = keyOf(json, where);
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELD_KEYS.contains(name)) {
        throw invalid(
            where,
            "\""
                + name
                + "\" is not supported in a field condition (supported: match, range, values_count)");
      }
    }
    if (json.size() != 2) {
      throw invalid(
          where,
          json.size() == 1
              ? "a field condition needs one of match, range or values_count besides its key"
              : "give one of match, range or values_count per condition");
    }
    if (json.has("match")) {
      return match(key, json.get("match"), where + ".match");
    }
    if (json.has("range")) {
      return ConditionFactory.range(key, range(json.get("range"), where + ".range"));
    }
    Range r = range(json.get("values_count"), where + ".values_count");
    for (double bound : List.of(r.getGt(), r.getGte(), r.getLt(), r.getLte())) {
      if (bound < 0 || bound != Math.rint(bound)) {
        throw invalid(
            where + ".values_count", "bounds must be whole numbers of 0 or more, got " + bound);
      }
    }
    ValuesCount.Builder count = ValuesCount.newBuilder();
    if (r.hasGt()) {
      count.setGt((long) r.getGt());
    }
    if (r.hasGte()) {
      count.setGte((long) r.getGte());
    }
    if (r.hasLt()) {
      count.setLt((long) r.getLt());
    }
    if (r.hasLte()) {
      count.setLte((long) r.getLte());
    }
    return ConditionFactory.valuesCount(key, count.build());
  }

  private static Condition match(String key, JsonNode json, String where) throws QueryException {
    if (json == null || !json.isObject() || json.size() != 1) {
      throw invalid(
          where,
          "must be one of {\"value\": ...}, {\"any\": [...]}, {\"except\": [...]}, {\"text\": ...},"
              + " {\"phrase\": ...}, {\"text_any\": ...}");
    }
    String kind = json.fieldNames().next();
    JsonNode v = json.get(kind);
    switch (kind) {
      case "value":
        if (v.isTextual()) {
          return ConditionFactory.matchKeyword(key, v.asText());
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
          return ConditionFactory.match(key, v.asLong());
        }
        if (v.isBoolean()) {
          return ConditionFactory.match(key, v.asBoolean());
        }
        throw invalid(
            where + ".value",
            "must be a string, an integer or a boolean (use range for decimals), got " + v);
      case "any":
      case "except":
        {
          if (!v.isArray()) {
            throw invalid(
                where + "." + kind, "must be a list of strings or of integers, got " + type(v));
          }
          List<String> keywords = new ArrayList<>();
          List<Long> integers = new ArrayList<>();
          for (JsonNode e : v) {
            if (e.isTextual()) {
              keywords.add(e.asText());
            } else if (e.isIntegralNumber() && e.canConvertToLong()) {
              integers.add(e.asLong());
            } else {
              throw invalid(
                  where + "." + kind, "must hold only strings or only integers, got " + e);
            }
          }
          if (!keywords.isEmpty() && !integers.isEmpty()) {
            throw invalid(where + "." + kind, "mixes strings and integers");
          }
          boolean any = kind.equals("any");
          if (!integers.isEmpty()) {
            return any
                ? ConditionFactory.matchValues(key, integers)
                : ConditionFactory.matchExceptValues(key, integers);
          }
          return any
              ? ConditionFactory.matchKeywords(key, keywords)
              : ConditionFactory.matchExceptKeywords(key, keywords);
        }
      case "text":
        return ConditionFactory.matchText(key, text(v, where + ".text"));
      case "phrase":
        return ConditionFactory.matchPhrase(key, text(v, where + ".phrase"));
      case "text_any":
        return ConditionFactory.matchTextAny(key, text(v, where + ".text_any"));
      default:
        throw invalid(
            where,
            "unknown match \""
                + kind
                + "\" (expected value, any, except, text, phrase or text_any)");
    }
  }

  private static Range range(JsonNode json, String where) throws QueryException {
    if (json == null || !json.isObject() || json.isEmpty()) {
      throw invalid(where, "must be an object with gt / gte / lt / lte, got " + type(json));
    }
    Range.Builder b = Range.newBuilder();
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      JsonNode v = json.get(name);
      if (v.isNull()) {
        continue;
      }
      if (!v.isNumber()) {
        throw invalid(
            where + "." + name,
            "must be a number, got "
                + v
                + (v.isTextual() ? " (datetime ranges are not supported)" : ""));
      }
      double d = v.asDouble();
      switch (name) {
        case "gt" -> b.setGt(d);
        case "gte" -> b.setGte(d);
        case "lt" -> b.setLt(d);
        case "lte" -> b.setLte(d);
        default ->
            throw invalid(where, "unknown bound \"" + name + "\" (expected gt, gte, lt or lte)");
      }
    }
    return b.build();
  }

  private static List<PointId> pointIds(JsonNode json, String where) throws QueryException {
    if (json == null || !json.isArray()) {
      throw invalid(
          where, "must be a list of point ids (unsigned integers or UUIDs), got " + type(json));
    }
    List<PointId> ids = new ArrayList<>();
    for (JsonNode e : json) {
      ids.add(pointId(e, where));
    }
    return ids;
  }

  private static final java.math.BigInteger TWO_TO_64 = java.math.BigInteger.ONE.shiftLeft(64);

  /** Qdrant's ids: an unsigned 64-bit integer, or a UUID in any form its parser takes. */
  static PointId pointId(JsonNode e, String where) throws QueryException {
    if (e.isIntegralNumber()
        && e.bigIntegerValue().signum() >= 0
        && e.bigIntegerValue().compareTo(TWO_TO_64) < 0) {
      return PointIdFactory.id(
          e.bigIntegerValue().longValue()); // u64 in the protobuf: the same 64 bits
    }
    if (e.isTextual()) {
      UUID uuid = uuid(e.asText());
      if (uuid != null) {
        return PointIdFactory.id(uuid);
      }
    }
    throw invalid(where, "a point id is an integer from 0 to 2^64-1 or a UUID, got " + e);
  }

  /**
   * Hyphenated, simple (32 hex digits), braced or urn:uuid: forms, as the uuid crate parses them.
   */
  private static UUID uuid(String text) {
    String t =
        text.startsWith("urn:uuid:")
            ? text.substring(9)
            : text.startsWith("{") && text.endsWith("}")
                ? text.substring(1, text.length() - 1)
                : text;
    if (t.matches("[0-9a-fA-F]{32}")) {
      t =
          t.substring(0, 8)
              + "-"
              + t.substring(8, 12)
              + "-"
              + t.substring(12, 16)
              + "-"
              + t.substring(16, 20)
              + "-"
              + t.substring(20);
    }
    if (!t.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      return null;
    }
    return UUID.fromString(t);
  }

  private static String keyOf(JsonNode json, String where) throws QueryException {
    JsonNode key = json == null ? null : json.get("key");
    if (key == null || !key.isTextual() || key.asText().isEmpty()) {
      throw invalid(where, "needs a \"key\" naming a payload field");
    }
    return key.asText();
  }

  private static String text(JsonNode v, String where) throws QueryException {
    if (!v.isTextual()) {
      throw invalid(where, "must be a string, got " + v);
    }
    return v.asText();
  }

  private static boolean allIn(JsonNode json, Set<String> allowed) {
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      if (!allowed.contains(names.next())) {
        return false;
      }
    }
    return true;
  }

  private static String type(JsonNode json) {
    return json == null
        ? "nothing"
        : json.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + json;
  }

  private static QueryException invalid(String where, String message) {
    return new QueryException(ErrorCode.INVALID_FILTER, where + ": " + message);
  }
}
