package io.lesionsearch.qdrantlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.lesionsearch.qdrantlocal.DifferentialCase.Pid;
import io.lesionsearch.qdrantlocal.DifferentialCase.Point;
import io.qdrant.client.grpc.Collections.Distance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * A brute-force Qdrant, written from Qdrant's sources and nothing of the local endpoint's code: it
 * keeps the points in a map, evaluates the REST filter JSON directly over the JSON payload and
 * scores every point. Each rule names the Qdrant source it follows (paths in qdrant/qdrant v1.18.3,
 * read at /work/qdrant-build/qdrant when this was written):
 *
 * <ul>
 *   <li>filters: lib/segment/src/payload_storage/query_checker.rs (check_filter, check_payload,
 *       check_field_condition), condition_checker.rs (ValueChecker for Match, Range, ValuesCount,
 *       FieldCondition::check / check_empty), lib/segment/src/common/utils.rs (check_is_empty,
 *       check_is_null), lib/segment/src/index/struct_payload_index/read_view/condition_converter.rs
 *       (nested: has_id and has_vector see nothing inside), lib/api/src/grpc/conversions.rs (an
 *       empty should list is no should);
 *   <li>paths: lib/segment/src/json_path/mod.rs value_get ({@code .key} walks objects only, {@code
 *       []} and {@code [n]} arrays only, a leaf array is one value) and parse.rs;
 *   <li>scores: lib/segment/src/spaces/simple.rs and tools.rs (cosine normalises both sides unless
 *       the squared length is below f32::EPSILON or within 1e-6 of 1; Euclid and Manhattan are
 *       returned as distances), types.rs Distance::check_threshold (strict), threshold before
 *       offset (lib/collection/src/shards/local_shard/search.rs).
 * </ul>
 *
 * <p>Full-text conditions are evaluated as Qdrant evaluates them on a field without a full-text
 * index (condition_checker.rs: {@code stored.contains(text)} for text and phrase, any
 * whitespace-separated token contained for text_any): the generated collections have no payload
 * index, so that is what the real server does too.
 *
 * <p>Ties: Qdrant orders equal scores by their place in a heap (FixedLengthPriorityQueue of
 * ScoredPoint compares scores only; only the merge of several shards in
 * lib/collection/src/collection/query.rs breaks ties by id), so neither the order inside a tie nor
 * which tied points make the cut at the limit is defined. The oracle ranks by score, then id, and
 * the test accepts any order and any choice within a tie.
 */
final class DifferentialOracle {
  /** Scores agree when they differ by at most this (relative above 1). */
  static final double TOLERANCE = 1e-5;

  private static final float F32_EPSILON = Math.ulp(1.0f);

  final Distance distance;
  final int dim;
  private final TreeMap<Pid, Stored> points = new TreeMap<>();

  record Stored(Pid id, float[] vector, ObjectNode payload) {}

  /** A point and its score for one query. */
  record Scored(Pid id, double score) {}

  DifferentialOracle(Distance distance, int dim) {
    this.distance = distance;
    this.dim = dim;
  }

  static boolean close(double a, double b) {
    return Math.abs(a - b) <= TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
  }

  // ------------------------------------------------------------------ writes

  /** Upsert replaces the whole point; within one batch the last point with an id wins. */
  void upsert(List<Point> batch) {
    for (Point p : batch) {
      points.put(p.id(), new Stored(p.id(), preprocess(p.vector()), p.payload()));
    }
  }

  List<Pid> deleteWhere(ObjectNode filter) {
    List<Pid> doomed = matching(filter);
    doomed.forEach(points::remove);
    return doomed;
  }

  Collection<Stored> points() {
    return points.values();
  }

  Stored get(Pid id) {
    return points.get(id);
  }

  // ------------------------------------------------------------------ scores

  /** spaces/simple.rs cosine_preprocess, in f32 as Qdrant stores it. */
  float[] preprocess(float[] v) {
    float[] out = v.clone();
    if (distance != Distance.Cosine) {
      return out;
    }
    float length = 0f;
    for (float x : v) {
      length += x * x;
    }
    if (length < F32_EPSILON || Math.abs(length - 1.0f) <= 1.0e-6f) {
      return out;
    }
    float norm = (float) Math.sqrt(length);
    for (int i = 0; i < out.length; i++) {
      out[i] = v[i] / norm;
    }
    return out;
  }

  /** The score Qdrant returns, computed in double from the stored f32 vectors. */
  double score(float[] query, float[] stored) {
    double s = 0;
    switch (distance) {
      case Cosine, Dot -> {
        for (int i = 0; i < dim; i++) {
          s += (double) query[i] * stored[i];
        }
        return s;
      }
      case Euclid -> {
        for (int i = 0; i < dim; i++) {
          double d = (double) query[i] - stored[i];
          s += d * d;
        }
        return Math.sqrt(s);
      }
      default -> {
        for (int i = 0; i < dim; i++) {
          s += Math.abs((double) query[i] - stored[i]);
        }
        return s;
      }
    }
  }

  boolean largerIsBetter() {
    return distance == Distance.Cosine || distance == Distance.Dot;
  }

  /** types.rs check_threshold: strict in both directions. */
  boolean passes(double score, float threshold) {
    return largerIsBetter() ? score > threshold : score < threshold;
  }

  /**
   * Every point the search may return, best first (ties by id, for display only), after filter,
   * example exclusion and threshold; offset and limit are the caller's to apply.
   */
  List<Scored> ranked(float[] rawQuery, Pid exclude, ObjectNode filter, Float threshold) {
    float[] q = preprocess(rawQuery);
    List<Scored> out = new ArrayList<>();
    for (Stored p : points.values()) {
      if (p.id().equals(exclude) || !matches(filter, p)) {
        continue;
      }
      double s = score(q, p.vector());
      if (threshold != null && !passes(s, threshold)) {
        continue;
      }
      out.add(new Scored(p.id(), s));
    }
    Comparator<Scored> byScore = Comparator.comparingDouble(Scored::score);
    out.sort((largerIsBetter() ? byScore.reversed() : byScore).thenComparing(Scored::id));
    return out;
  }

  /**
   * A threshold no score is within reach of, so that rounding differences between f32 kernels
   * cannot decide whether a point passes: moved in steps until every score of every point (any
   * filter) is clear of it. Deterministic, so shrinking keeps it.
   */
  Float clearThreshold(float[] rawQuery, Float threshold) {
    if (threshold == null) {
      return null;
    }
    float[] q = preprocess(rawQuery);
    float t = threshold;
    for (int attempt = 0; attempt < 1000; attempt++) {
      boolean clear = true;
      for (Stored p : points.values()) {
        if (Math.abs(score(q, p.vector()) - t) <= 100 * TOLERANCE * Math.max(1, Math.abs(t))) {
          clear = false;
          break;
        }
      }
      if (clear) {
        return t;
      }
      t = t + (float) (250 * TOLERANCE * Math.max(1, Math.abs(t)));
    }
    return t;
  }

  // ------------------------------------------------------------------ filters

  List<Pid> matching(ObjectNode filter) {
    List<Pid> out = new ArrayList<>();
    for (Stored p : points.values()) {
      if (matches(filter, p)) {
        out.add(p.id());
      }
    }
    return out;
  }

  boolean matches(ObjectNode filter, Stored p) {
    return filter == null || filter(filter, p.id(), p.payload());
  }

  /**
   * check_filter: should (any; absent or empty is true) AND min_should (at least min_count) AND
   * must (all) AND must_not (none). {@code id} is null inside a nested object.
   *
   * <p>A min_should with no conditions depends on where it is, as in Qdrant: the filters a segment
   * runs (the request's filter and the filters in it) go through optimize_filter
   * (struct_payload_index/read_view/optimizer.rs), which drops it, so it keeps every point; the
   * filter of a nested condition is checked by query_checker.rs check_filter, where no condition
   * reaches a min_count of 1 or more.
   */
  static boolean filter(JsonNode f, Pid id, JsonNode payload) {
    List<JsonNode> should = list(f.get("should"));
    if (!should.isEmpty() && should.stream().noneMatch(c -> condition(c, id, payload))) {
      return false;
    }
    JsonNode minShould = f.get("min_should");
    List<JsonNode> minConditions =
        minShould == null || minShould.isNull() ? List.of() : list(minShould.get("conditions"));
    boolean nested = id == null;
    if (minShould != null && !minShould.isNull() && (nested || !minConditions.isEmpty())) {
      long need = minShould.get("min_count").asLong();
      long passed = minConditions.stream().filter(c -> condition(c, id, payload)).count();
      if (passed < need) {
        return false;
      }
    }
    for (JsonNode c : list(f.get("must"))) {
      if (!condition(c, id, payload)) {
        return false;
      }
    }
    for (JsonNode c : list(f.get("must_not"))) {
      if (condition(c, id, payload)) {
        return false;
      }
    }
    return true;
  }

  private static List<JsonNode> list(JsonNode n) {
    List<JsonNode> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isArray()) {
      n.forEach(out::add);
    } else {
      out.add(n);
    }
    return out;
  }

  static boolean condition(JsonNode c, Pid id, JsonNode payload) {
    if (c.has("key")) {
      return field(c, payload);
    }
    if (c.has("has_id")) {
      if (id == null) {
        return false; // nested objects have no id (condition_converter.rs passes None)
      }
      for (JsonNode e : c.get("has_id")) {
        if (id.equals(parseId(e))) {
          return true;
        }
      }
      return false;
    }
    if (c.has("is_empty")) {
      // utils.rs check_is_empty: every value null or [] (true when there is none)
      for (JsonNode v : values(payload, c.get("is_empty").get("key").asText())) {
        if (!(v.isNull() || (v.isArray() && v.isEmpty()))) {
          return false;
        }
      }
      return true;
    }
    if (c.has("is_null")) {
      // utils.rs check_is_null: some value is null ([null] is an array, not null)
      for (JsonNode v : values(payload, c.get("is_null").get("key").asText())) {
        if (v.isNull()) {
          return true;
        }
      }
      return false;
    }
    if (c.has("has_vector")) {
      // Only the unnamed vector ("") exists; nested objects see no vectors.
      return id != null && c.get("has_vector").asText().isEmpty();
    }
    if (c.has("nested")) {
      JsonNode n = c.get("nested");
      String key = n.get("key").asText();
      String arrayKey = key.endsWith("[]") ? key : key + "[]"; // NestedCondition::array_key
      for (JsonNode v : values(payload, arrayKey)) {
        if (v.isObject() && filter(n.get("filter"), null, v)) {
          return true;
        }
      }
      return false;
    }
    return filter(c, id, payload); // a nested filter
  }

  static Pid parseId(JsonNode e) {
    if (e.isTextual()) {
      return Pid.uuid(java.util.UUID.fromString(e.asText()), 0);
    }
    return Pid.num(e.bigIntegerValue().longValue());
  }

  /** check_field_condition: no value is false (check_empty), else any value passes. */
  private static boolean field(JsonNode c, JsonNode payload) {
    List<JsonNode> values = values(payload, c.get("key").asText());
    for (JsonNode v : values) {
      if (c.has("values_count")) {
        if (valuesCount(c.get("values_count"), v)) {
          return true;
        }
      } else if (v.isArray()) {
        // ValueChecker::_check expands a leaf array one level
        for (JsonNode item : v) {
          if (checkMatch(c, item)) {
            return true;
          }
        }
      } else if (checkMatch(c, v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * types.rs ValuesCount::check_count_from: null counts 0, an array its length, anything else 1.
   */
  private static boolean valuesCount(JsonNode bounds, JsonNode v) {
    long count = v.isNull() ? 0 : v.isArray() ? v.size() : 1;
    return bound(bounds, "lt", b -> count < b)
        && bound(bounds, "gt", b -> count > b)
        && bound(bounds, "lte", b -> count <= b)
        && bound(bounds, "gte", b -> count >= b);
  }

  private static boolean bound(
      JsonNode bounds, String name, java.util.function.DoublePredicate ok) {
    JsonNode b = bounds.get(name);
    return b == null || b.isNull() || ok.test(b.asDouble());
  }

  private static boolean checkMatch(JsonNode c, JsonNode v) {
    if (c.has("range")) {
      // Range<OrderedFloat>: numbers as f64; anything else never matches
      if (!v.isNumber()) {
        return false;
      }
      double x = v.asDouble();
      JsonNode r = c.get("range");
      return bound(r, "lt", b -> x < b)
          && bound(r, "gt", b -> x > b)
          && bound(r, "lte", b -> x <= b)
          && bound(r, "gte", b -> x >= b);
    }
    JsonNode m = c.get("match");
    String kind = m.fieldNames().next();
    JsonNode want = m.get(kind);
    switch (kind) {
      case "value":
        if (want.isTextual()) {
          return v.isTextual() && v.asText().equals(want.asText());
        }
        if (want.isBoolean()) {
          return v.isBoolean() && v.asBoolean() == want.asBoolean();
        }
        // an integer match needs an integral JSON number (serde's as_i64; 10.0 is not one)
        return isI64(v) && v.asLong() == want.asLong();
      case "any":
        for (JsonNode w : want) {
          if (w.isTextual()
              ? v.isTextual() && v.asText().equals(w.asText())
              : isI64(v) && v.asLong() == w.asLong()) {
            return true;
          }
        }
        return false;
      case "except":
        {
          // MatchExcept: the list's type is strings unless it holds integers (an empty list is
          // strings: ExceptKeywords); null never passes; other types always do.
          boolean integers = want.size() > 0 && want.get(0).isIntegralNumber();
          if (v.isNull()) {
            return false;
          }
          if (!integers && v.isTextual()) {
            for (JsonNode w : want) {
              if (w.asText().equals(v.asText())) {
                return false;
              }
            }
            return true;
          }
          if (integers && v.isNumber()) {
            if (!isI64(v)) {
              return true; // as_i64() is None: unwrap_or(true)
            }
            for (JsonNode w : want) {
              if (w.asLong() == v.asLong()) {
                return false;
              }
            }
            return true;
          }
          return true;
        }
      case "text":
      case "phrase":
        return v.isTextual() && v.asText().contains(want.asText());
      case "text_any":
        if (!v.isTextual()) {
          return false;
        }
        for (String token : splitWhitespace(want.asText())) {
          if (v.asText().contains(token)) {
            return true;
          }
        }
        return false;
      default:
        throw new IllegalArgumentException("the oracle does not know match " + kind);
    }
  }

  private static boolean isI64(JsonNode v) {
    return v.isIntegralNumber() && v.canConvertToLong();
  }

  /**
   * Rust's str::split_whitespace (Unicode White_Space), for the ASCII and Latin-1 spaces generated.
   */
  private static List<String> splitWhitespace(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (Character.isWhitespace(ch) || Character.isSpaceChar(ch) || ch == '\u0085') {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(ch);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  // ------------------------------------------------------------------ paths

  /** One step of a parsed path: a key, an index, or the wildcard {@code []} (index -1). */
  record Step(String key, int index) {}

  /**
   * json_path/parse.rs: a first key (raw: letters, digits, _ and -; or "quoted"), then {@code
   * .key}, {@code ."quoted"}, {@code [n]} or {@code []}. Null when Qdrant would refuse it.
   */
  static List<Step> parsePath(String s) {
    List<Step> out = new ArrayList<>();
    int[] pos = {0};
    String first = s.startsWith("\"") ? quoted(s, pos) : raw(s, pos);
    if (first == null) {
      return null;
    }
    out.add(new Step(first, 0));
    while (pos[0] < s.length()) {
      char ch = s.charAt(pos[0]);
      if (ch == '.') {
        pos[0]++;
        String key = pos[0] < s.length() && s.charAt(pos[0]) == '"' ? quoted(s, pos) : raw(s, pos);
        if (key == null) {
          return null;
        }
        out.add(new Step(key, 0));
      } else if (s.startsWith("[]", pos[0])) {
        out.add(new Step(null, -1));
        pos[0] += 2;
      } else if (ch == '[') {
        int close = s.indexOf(']', pos[0]);
        String digits = close < 0 ? "" : s.substring(pos[0] + 1, close);
        if (digits.isEmpty() || !digits.chars().allMatch(d -> d >= '0' && d <= '9')) {
          return null;
        }
        out.add(new Step(null, Integer.parseInt(digits)));
        pos[0] = close + 1;
      } else {
        return null;
      }
    }
    return out;
  }

  private static String raw(String s, int[] pos) {
    int i = pos[0];
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (Character.isLetterOrDigit(cp) || cp == '_' || cp == '-') {
        i += Character.charCount(cp);
      } else {
        break;
      }
    }
    if (i == pos[0]) {
      return null;
    }
    String key = s.substring(pos[0], i);
    pos[0] = i;
    return key;
  }

  private static String quoted(String s, int[] pos) {
    for (int i = pos[0] + 1; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\') {
        return null;
      }
      if (ch == '"') {
        String key = s.substring(pos[0] + 1, i);
        pos[0] = i + 1;
        return key;
      }
    }
    return null;
  }

  /** json_path value_get: the values a path reaches; a leaf array is returned whole. */
  static List<JsonNode> values(JsonNode payload, String path) {
    List<Step> steps = parsePath(path);
    if (steps == null) {
      throw new IllegalArgumentException("not a JSON path: " + path);
    }
    List<JsonNode> out = new ArrayList<>();
    JsonNode first = payload.get(steps.get(0).key());
    if (first != null) {
      collect(first, steps, 1, out);
    }
    return out;
  }

  private static void collect(JsonNode v, List<Step> steps, int i, List<JsonNode> out) {
    if (i == steps.size()) {
      out.add(v);
      return;
    }
    Step s = steps.get(i);
    if (s.key() != null) {
      if (v.isObject() && v.has(s.key())) {
        collect(v.get(s.key()), steps, i + 1, out);
      }
    } else if (v.isArray()) {
      if (s.index() < 0) {
        for (JsonNode item : v) {
          collect(item, steps, i + 1, out);
        }
      } else if (s.index() < v.size()) {
        collect(v.get(s.index()), steps, i + 1, out);
      }
    }
  }

  // ------------------------------------------------------------------ errors

  /**
   * What Qdrant answers to a faulty request (checked against the server: see {@link
   * DifferentialCase.Fault}); only the status code is compared, since the local endpoint words some
   * messages differently on purpose.
   */
  Status.Code expectedError(DifferentialCase.Broken b) {
    return switch (b.fault()) {
      case MISSING_COLLECTION -> Status.Code.NOT_FOUND;
      case QUERY_BY_MISSING_ID -> Status.Code.NOT_FOUND;
      case BAD_KEY_PATH -> {
        if (parsePath(b.badKey()) != null) {
          throw new IllegalStateException(
              "the generator's bad key '" + b.badKey() + "' is a valid path");
        }
        yield Status.Code.INVALID_ARGUMENT;
      }
      default -> Status.Code.INVALID_ARGUMENT;
    };
  }
}
