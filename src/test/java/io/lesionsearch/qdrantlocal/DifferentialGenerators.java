package io.lesionsearch.qdrantlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.qdrantlocal.DifferentialCase.Api;
import io.lesionsearch.qdrantlocal.DifferentialCase.Broken;
import io.lesionsearch.qdrantlocal.DifferentialCase.Count;
import io.lesionsearch.qdrantlocal.DifferentialCase.DeleteByFilter;
import io.lesionsearch.qdrantlocal.DifferentialCase.Fault;
import io.lesionsearch.qdrantlocal.DifferentialCase.InnerNames;
import io.lesionsearch.qdrantlocal.DifferentialCase.Op;
import io.lesionsearch.qdrantlocal.DifferentialCase.Pid;
import io.lesionsearch.qdrantlocal.DifferentialCase.Point;
import io.lesionsearch.qdrantlocal.DifferentialCase.Scroll;
import io.lesionsearch.qdrantlocal.DifferentialCase.Search;
import io.lesionsearch.qdrantlocal.DifferentialCase.SearchBatch;
import io.qdrant.client.grpc.Collections.Distance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for {@link DifferentialCase}. Everything is drawn from small pools on purpose: a
 * few keys, words, numbers and ids, so that filters actually select some points and not others, ids
 * collide (upsert replaces), and vectors repeat (ties). Every arbitrary is built from jqwik's
 * combinators, so a failing case shrinks to fewer points, fewer keys, smaller filters.
 */
final class DifferentialGenerators {
  private DifferentialGenerators() {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Top-level payload keys; "dot.key" needs quoting in a path ("\"dot.key\""). */
  static final List<String> PAYLOAD_KEYS =
      List.of("a", "b", "n", "s", "tags", "flag", "obj", "arr", "dot.key");

  /**
   * Keys conditions use: present, nested, through arrays, indexed, quoted, and ones no payload has.
   */
  static final List<String> CONDITION_KEYS =
      List.of(
          "a",
          "b",
          "n",
          "s",
          "tags",
          "flag",
          "obj",
          "obj.x",
          "obj.y",
          "obj.inner.x",
          "obj.list[].x",
          "arr",
          "arr[].x",
          "arr[].y",
          "arr[0].x",
          "arr[].sub[].x",
          "tags[]",
          "tags[0]",
          "\"dot.key\"",
          "dot.key",
          "a.x",
          "missing");

  private static final java.util.Set<String> PRIMARY_KEYS =
      java.util.Set.of("a", "b", "n", "s", "tags", "flag", "x", "y", "z");

  private static final java.util.Set<String> SECONDARY_KEYS =
      java.util.Set.of("obj.x", "obj.y", "arr[].x", "arr[].y", "tags[]", "\"dot.key\"", "sub[].x");

  /** Keys of nested conditions (the array of objects they walk). */
  static final List<String> NESTED_KEYS =
      List.of("arr", "arr[]", "obj.list", "arr[].sub", "obj", "a");

  /** Keys inside a nested condition's filter, relative to each object. */
  static final List<String> INNER_KEYS =
      List.of("x", "y", "z", "sub", "sub[].x", "inner.x", "missing");

  /**
   * Words, integers and decimals: a few common ones (so that a match on a random key and value
   * often finds points) and rare ones for the edges (empty string, case, accents, extremes of i64,
   * 2^53 + 1 which a double cannot hold, integral doubles such as 3.0 that never match an integer,
   * -0.0).
   */
  static final List<String> COMMON_WORDS = List.of("a", "red mole");

  static final List<String> RARE_WORDS =
      List.of(
          "b",
          "ab",
          "c",
          "A",
          "",
          "red",
          "mole",
          "Red mole",
          "blue spot",
          "mole big red",
          "x y",
          "é");

  static final List<String> TEXT_QUERIES =
      List.of(
          "red",
          "mole",
          "Red",
          "red mole",
          "mole big",
          "zz red",
          "blue  x",
          "",
          " ",
          "spot",
          "o",
          "a",
          "b");

  static final List<Long> COMMON_INTS = List.of(1L, 2L);

  static final List<Long> RARE_INTS =
      List.of(0L, 3L, -3L, -1L, 5L, 10L, (1L << 53) + 1, Long.MAX_VALUE, Long.MIN_VALUE);

  static final List<Double> COMMON_DOUBLES = List.of(0.5, 2.0);

  static final List<Double> RARE_DOUBLES =
      List.of(1.0, 3.0, -2.5, -1.0, -0.0, 0.0, 1e-9, 10.0, 2.5);

  /**
   * UUIDs, some with the top bit set in either half (Qdrant orders them unsigned; Java's
   * UUID.compareTo would not).
   */
  static final List<UUID> UUIDS =
      List.of(
          UUID.fromString("00000000-0000-0000-0000-000000000001"),
          UUID.fromString("0f2b0c4e-1d2a-4b3c-9d8e-7f6a5b4c3d2e"),
          UUID.fromString("7fffffff-ffff-4fff-bfff-ffffffffffff"),
          UUID.fromString("80000000-0000-4000-8000-000000000000"),
          UUID.fromString("8f2b0c4e-1d2a-4b3c-1d8e-7f6a5b4c3d2e"),
          UUID.fromString("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"),
          UUID.fromString("ffffffff-ffff-4fff-bfff-fffffffffffe"),
          UUID.fromString("123e4567-e89b-42d3-a456-426614174000"));

  static Arbitrary<DifferentialCase> cases() {
    // Cosine twice as often: it is the project's metric and the one with normalisation.
    Arbitrary<Distance> distance =
        Arbitraries.of(
            Distance.Cosine, Distance.Cosine, Distance.Dot, Distance.Euclid, Distance.Manhattan);
    Arbitrary<Integer> dim = Arbitraries.of(2, 3, 4, 8);
    return Combinators.combine(distance, dim)
        .flatAs(
            (d, n) ->
                Combinators.combine(batches(n), op(n).list().ofMinSize(1).ofMaxSize(6))
                    .as((batches, ops) -> new DifferentialCase(d, n, batches, ops)));
  }

  // ------------------------------------------------------------------ points

  static Arbitrary<List<List<Point>>> batches(int dim) {
    // Uniform sizes: jqwik's default leans to short lists, and filters over two or three points
    // mostly select none or all of them.
    Arbitrary<List<Point>> points =
        point(dim)
            .list()
            .ofMaxSize(30)
            .withSizeDistribution(net.jqwik.api.RandomDistribution.uniform());
    Arbitrary<Integer> batchSize = Arbitraries.integers().between(1, 12);
    return Combinators.combine(points, batchSize)
        .as(
            (ps, size) -> {
              List<List<Point>> out = new ArrayList<>();
              for (int i = 0; i < ps.size(); i += size) {
                out.add(List.copyOf(ps.subList(i, Math.min(ps.size(), i + size))));
              }
              return out;
            });
  }

  static Arbitrary<Point> point(int dim) {
    return Combinators.combine(pointId(true), vector(dim), payload()).as(Point::new);
  }

  /**
   * Ids from a small domain so that they collide (a later upsert replaces the point): numbers
   * 0..40, the UUID pool in every form Qdrant parses and, for points only, numbers above
   * Long.MAX_VALUE (FilterJson cannot put those in has_id: see the report of this test).
   */
  static Arbitrary<Pid> pointId(boolean huge) {
    Arbitrary<Pid> small = Arbitraries.longs().between(0, 40).map(Pid::num);
    Arbitrary<Pid> uuid =
        Combinators.combine(Arbitraries.of(UUIDS), Arbitraries.of(0, 0, 0, 1, 2, 3, 4))
            .as(Pid::uuid);
    Arbitrary<Pid> big = Arbitraries.of(-1L, Long.MIN_VALUE, Long.MIN_VALUE + 7).map(Pid::num);
    return huge
        ? Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, small),
            net.jqwik.api.Tuple.of(3, uuid),
            net.jqwik.api.Tuple.of(1, big))
        : Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, small),
            net.jqwik.api.Tuple.of(
                3, Combinators.combine(Arbitraries.of(UUIDS), Arbitraries.of(0, 1)).as(Pid::uuid)));
  }

  /**
   * Components mostly from a coarse grid (repeated vectors, ties, zero vectors, unit vectors kept
   * as they are by cosine), otherwise any float in [-1, 1].
   */
  static Arbitrary<float[]> vector(int dim) {
    Arbitrary<Float> grid = Arbitraries.of(-1f, -0.5f, 0f, 0f, 0.5f, 1f, 2f);
    Arbitrary<Float> any = Arbitraries.floats().between(-1f, 1f);
    Arbitrary<Float> component =
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, grid), net.jqwik.api.Tuple.of(1, any));
    return component
        .list()
        .ofSize(dim)
        .map(
            l -> {
              float[] v = new float[l.size()];
              for (int i = 0; i < v.length; i++) {
                v[i] = l.get(i);
              }
              return v;
            });
  }

  // ------------------------------------------------------------------ payloads

  static Arbitrary<ObjectNode> payload() {
    List<Arbitrary<Map.Entry<String, JsonNode>>> fields = new ArrayList<>();
    for (String key : PAYLOAD_KEYS) {
      fields.add(valueFor(key).map(v -> Map.entry(key, v)).injectNull(0.2));
    }
    return Combinators.combine(fields)
        .as(
            entries -> {
              ObjectNode o = JSON.objectNode();
              for (Map.Entry<String, JsonNode> e : entries) {
                if (e != null) {
                  o.set(e.getKey(), e.getValue());
                }
              }
              return o;
            });
  }

  /**
   * Each key leans to one type (its {@link #domain}), so that conditions drawn from the same domain
   * find points; but any key also holds arrays of it and, now and then, anything at all (mixed
   * types, null, nested arrays, objects).
   */
  private static Arbitrary<JsonNode> valueFor(String key) {
    return switch (key) {
      case "tags" ->
          Arbitraries.frequencyOf(
              net.jqwik.api.Tuple.of(
                  4,
                  array(
                      Arbitraries.frequencyOf(
                          net.jqwik.api.Tuple.of(6, word()),
                          net.jqwik.api.Tuple.of(1, integer()),
                          net.jqwik.api.Tuple.of(1, nullNode())),
                      4)),
              net.jqwik.api.Tuple.of(1, anyValue(2)));
      case "obj" ->
          Arbitraries.frequencyOf(
              net.jqwik.api.Tuple.of(
                  5,
                  object(
                      Map.of(
                          "x",
                          typed(word()),
                          "y",
                          typed(integer()),
                          "inner",
                          object(Map.of("x", typed(integer()))),
                          "list",
                          array(object(Map.of("x", typed(word()), "y", typed(integer()))), 3)))),
              net.jqwik.api.Tuple.of(1, anyValue(2)));
      case "arr" ->
          Arbitraries.frequencyOf(
              net.jqwik.api.Tuple.of(5, array(innerObject(), 4)),
              net.jqwik.api.Tuple.of(1, anyValue(2)));
      default -> typed(domain(key));
    };
  }

  /**
   * A value of this type mostly, an array of it sometimes, null, and anything at all now and then.
   */
  private static Arbitrary<JsonNode> typed(Arbitrary<JsonNode> type) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, type),
        net.jqwik.api.Tuple.of(2, array(type, 3)),
        net.jqwik.api.Tuple.of(1, nullNode()),
        net.jqwik.api.Tuple.of(2, anyValue(2)));
  }

  /**
   * The type a key (a top-level key, a path, or a key inside nested objects) usually holds, for
   * payloads and for the values conditions compare it with.
   */
  static Arbitrary<JsonNode> domain(String path) {
    return switch (domainKind(path)) {
      case 'w' -> word();
      case 'i' -> integer();
      case 'n' -> Arbitraries.oneOf(integer(), decimal());
      case 'b' -> bool();
      default -> scalar();
    };
  }

  /** w(ords), i(ntegers), n(umbers), b(ools) or * (anything), by the path's last key. */
  private static char domainKind(String path) {
    if (path.contains("sub") || path.contains("inner") || path.contains("dot")) {
      return 'i';
    }
    String last = path.replace("[]", "").replaceAll("\\[\\d+\\]", "");
    last = last.substring(last.lastIndexOf('.') + 1);
    return switch (last) {
      case "a", "s", "tags", "x" -> 'w';
      case "b", "y" -> 'i';
      case "n", "z" -> 'n';
      case "flag" -> 'b';
      default -> '*';
    };
  }

  /** The objects nested conditions walk: x, y, z and an array of sub-objects. */
  private static Arbitrary<JsonNode> innerObject() {
    Arbitrary<JsonNode> sub = object(Map.of("x", typed(integer())));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(
            6,
            object(
                Map.of(
                    "x",
                    typed(word()),
                    "y",
                    typed(integer()),
                    "z",
                    typed(Arbitraries.oneOf(integer(), decimal())),
                    "sub",
                    array(sub, 2)))),
        net.jqwik.api.Tuple.of(1, scalar()),
        net.jqwik.api.Tuple.of(1, array(scalar(), 2)));
  }

  static Arbitrary<JsonNode> anyValue(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, scalar()),
        net.jqwik.api.Tuple.of(2, Arbitraries.lazy(() -> array(anyValue(depth - 1), 3))),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.lazy(
                () -> object(Map.of("x", anyValue(depth - 1), "y", anyValue(depth - 1))))));
  }

  static Arbitrary<JsonNode> scalar() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, integer()),
        net.jqwik.api.Tuple.of(2, decimal()),
        net.jqwik.api.Tuple.of(3, word()),
        net.jqwik.api.Tuple.of(1, bool()),
        net.jqwik.api.Tuple.of(1, nullNode()));
  }

  static Arbitrary<JsonNode> integer() {
    return commonOrRare(COMMON_INTS, RARE_INTS).map(JSON::numberNode);
  }

  static Arbitrary<JsonNode> decimal() {
    return commonOrRare(COMMON_DOUBLES, RARE_DOUBLES).map(JSON::numberNode);
  }

  static Arbitrary<JsonNode> word() {
    return commonOrRare(COMMON_WORDS, RARE_WORDS).map(JSON::textNode);
  }

  /** The first common value half the time, the second a fifth, a rare one the rest. */
  private static <T> Arbitrary<T> commonOrRare(List<T> common, List<T> rare) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, Arbitraries.just(common.get(0))),
        net.jqwik.api.Tuple.of(2, Arbitraries.just(common.get(1))),
        net.jqwik.api.Tuple.of(3, Arbitraries.of(rare)));
  }

  static Arbitrary<JsonNode> bool() {
    return Arbitraries.of(true, false).map(JSON::booleanNode);
  }

  static Arbitrary<JsonNode> nullNode() {
    return Arbitraries.just(JSON.nullNode());
  }

  static Arbitrary<JsonNode> array(Arbitrary<JsonNode> element, int max) {
    return element
        .list()
        .ofMaxSize(max)
        .map(
            l -> {
              ArrayNode a = JSON.arrayNode();
              l.forEach(a::add);
              return a;
            });
  }

  /** An object with each of these fields present or not. */
  static Arbitrary<JsonNode> object(Map<String, Arbitrary<JsonNode>> fields) {
    List<Arbitrary<Map.Entry<String, JsonNode>>> parts = new ArrayList<>();
    fields.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(f -> parts.add(f.getValue().map(v -> Map.entry(f.getKey(), v)).injectNull(0.25)));
    return Combinators.combine(parts)
        .as(
            entries -> {
              ObjectNode o = JSON.objectNode();
              for (Map.Entry<String, JsonNode> e : entries) {
                if (e != null) {
                  o.set(e.getKey(), e.getValue());
                }
              }
              return o;
            });
  }

  // ------------------------------------------------------------------ filters

  /** A filter or none (null): half of the operations run unfiltered or with a trivial filter. */
  static Arbitrary<ObjectNode> optionalFilter() {
    return filter(3, CONDITION_KEYS).injectNull(0.2);
  }

  /**
   * must / should / must_not / min_should, each present or not. should is never an empty list:
   * FilterJson refuses one (REST and gRPC read it differently).
   */
  static Arbitrary<ObjectNode> filter(int depth, List<String> keys) {
    Arbitrary<JsonNode> cond = condition(depth, keys);
    // Most single conditions keep few points (a random key, a random value), so must lists are
    // short and should lists long: the mix keeps filters that select some points but not all.
    Arbitrary<List<JsonNode>> must = cond.list().ofMinSize(1).ofMaxSize(2).injectNull(0.65);
    Arbitrary<List<JsonNode>> should = cond.list().ofMinSize(1).ofMaxSize(4).injectNull(0.45);
    Arbitrary<List<JsonNode>> mustNot = cond.list().ofMinSize(1).ofMaxSize(2).injectNull(0.5);
    // min_should with no conditions too: Qdrant drops it outside nested filters (a local-endpoint
    // bug this test found).
    Arbitrary<ObjectNode> minShould =
        Combinators.combine(
                cond.list().ofMinSize(0).ofMaxSize(3), Arbitraries.integers().between(0, 3))
            .as(
                (conditions, count) -> {
                  ObjectNode m = JSON.objectNode();
                  ArrayNode a = m.putArray("conditions");
                  conditions.forEach(a::add);
                  m.put("min_count", count);
                  return m;
                })
            .injectNull(0.8);
    return Combinators.combine(must, should, mustNot, minShould)
        .as(
            (mu, sh, mn, ms) -> {
              ObjectNode f = JSON.objectNode();
              put(f, "must", mu);
              put(f, "should", sh);
              put(f, "must_not", mn);
              if (ms != null) {
                f.set("min_should", ms);
              }
              return f;
            });
  }

  private static void put(ObjectNode f, String name, List<JsonNode> conditions) {
    if (conditions != null) {
      ArrayNode a = f.putArray(name);
      conditions.forEach(a::add);
    }
  }

  /**
   * Every condition kind FilterJson accepts. values_count and the full-text matches are rarer: the
   * local endpoint refuses them (documented), and a case that uses one compares only the refusal
   * locally.
   */
  static Arbitrary<JsonNode> condition(int depth, List<String> keys) {
    // Keys that usually hold scalars most often: a condition on a key no point has, or on an
    // object, keeps nothing and tests little (but is still drawn).
    List<net.jqwik.api.Tuple.Tuple2<Integer, String>> weighted = new ArrayList<>();
    keys.forEach(
        k ->
            weighted.add(
                net.jqwik.api.Tuple.of(
                    PRIMARY_KEYS.contains(k) ? 4 : SECONDARY_KEYS.contains(k) ? 2 : 1, k)));
    Arbitrary<String> key = Arbitraries.frequency(weighted);
    List<net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<JsonNode>>> kinds =
        new ArrayList<>(
            List.of(
                net.jqwik.api.Tuple.of(
                    8, key.flatMap(k -> matchBody(k).map(m -> field(k, "match", m)))),
                net.jqwik.api.Tuple.of(
                    3,
                    Combinators.combine(numericKey(keys, key), range())
                        .as((k, r) -> field(k, "range", r))),
                net.jqwik.api.Tuple.of(
                    1,
                    Combinators.combine(key, valuesCount())
                        .as((k, r) -> field(k, "values_count", r))),
                net.jqwik.api.Tuple.of(
                    1, Combinators.combine(key, textMatch()).as((k, m) -> field(k, "match", m))),
                net.jqwik.api.Tuple.of(
                    2,
                    pointId(false)
                        .list()
                        .ofMinSize(1)
                        .ofMaxSize(4)
                        .map(
                            ids -> {
                              ObjectNode c = JSON.objectNode();
                              ArrayNode a = c.putArray("has_id");
                              ids.forEach(id -> a.add(id.json()));
                              return (JsonNode) c;
                            })),
                net.jqwik.api.Tuple.of(2, key.map(k -> keyed("is_empty", k))),
                net.jqwik.api.Tuple.of(2, key.map(k -> keyed("is_null", k))),
                net.jqwik.api.Tuple.of(
                    1,
                    Arbitraries.of("", "", "", "other")
                        .map(
                            name -> {
                              ObjectNode c = JSON.objectNode();
                              c.put("has_vector", name);
                              return (JsonNode) c;
                            }))));
    if (depth > 1) {
      kinds.add(
          net.jqwik.api.Tuple.of(
              2,
              Combinators.combine(
                      Arbitraries.of(NESTED_KEYS),
                      Arbitraries.lazy(() -> filter(depth - 1, INNER_KEYS)))
                  .as(
                      (k, f) -> {
                        ObjectNode c = JSON.objectNode();
                        ObjectNode n = c.putObject("nested");
                        n.put("key", k);
                        n.set("filter", f);
                        return (JsonNode) c;
                      })));
      // A filter used as a condition needs a clause: FilterJson cannot tell {} from a condition.
      kinds.add(
          net.jqwik.api.Tuple.of(
              2,
              Arbitraries.lazy(
                  () -> filter(depth - 1, keys).filter(f -> f.size() > 0).map(f -> (JsonNode) f))));
    }
    return Arbitraries.frequencyOf(kinds);
  }

  /** Mostly a key that usually holds numbers: a range on a string key keeps nothing. */
  private static Arbitrary<String> numericKey(List<String> keys, Arbitrary<String> any) {
    List<String> numeric = keys.stream().filter(k -> "in".indexOf(domainKind(k)) >= 0).toList();
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.of(numeric)), net.jqwik.api.Tuple.of(1, any));
  }

  private static JsonNode field(String key, String kind, JsonNode body) {
    ObjectNode c = JSON.objectNode();
    c.put("key", key);
    c.set(kind, body);
    return c;
  }

  private static JsonNode keyed(String kind, String key) {
    ObjectNode c = JSON.objectNode();
    c.putObject(kind).put("key", key);
    return c;
  }

  /**
   * value (string, integer, bool), any and except (strings or integers, empty lists too), mostly of
   * the type the key usually holds.
   */
  static Arbitrary<JsonNode> matchBody(String key) {
    Arbitrary<JsonNode> usual =
        domain(key).filter(v -> v.isTextual() || v.isIntegralNumber() || v.isBoolean());
    Arbitrary<JsonNode> value =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(7, usual),
            net.jqwik.api.Tuple.of(1, word()),
            net.jqwik.api.Tuple.of(1, integer()),
            net.jqwik.api.Tuple.of(1, bool()));
    Arbitrary<JsonNode> usualList =
        domain(key).flatMap(sample -> sample.isTextual() ? array(word(), 3) : array(integer(), 3));
    Arbitrary<JsonNode> list =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, usualList),
            net.jqwik.api.Tuple.of(1, array(word(), 3)),
            net.jqwik.api.Tuple.of(1, array(integer(), 3)));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, value.map(v -> one("value", v))),
        net.jqwik.api.Tuple.of(2, list.map(v -> one("any", v))),
        net.jqwik.api.Tuple.of(2, list.map(v -> one("except", v))));
  }

  /**
   * text, phrase, text_any. No full-text index is created: Qdrant then checks a substring
   * (condition_checker.rs), which the oracle reproduces exactly; with an index Qdrant would
   * tokenise (lower-casing, word splitting), a second semantics the local endpoint cannot know
   * about from the filter alone.
   */
  static Arbitrary<JsonNode> textMatch() {
    return Combinators.combine(
            Arbitraries.of("text", "phrase", "text_any"), Arbitraries.of(TEXT_QUERIES))
        .as((kind, text) -> one(kind, JSON.textNode(text)));
  }

  /** One or two bounds, integers or decimals (FilterJson sends both as doubles). */
  static Arbitrary<JsonNode> range() {
    Arbitrary<JsonNode> number =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(-1, 4).map(JSON::numberNode)),
            net.jqwik.api.Tuple.of(2, decimal()),
            net.jqwik.api.Tuple.of(1, integer()));
    return bounds(number);
  }

  static Arbitrary<JsonNode> valuesCount() {
    return bounds(Arbitraries.integers().between(0, 4).map(JSON::numberNode));
  }

  private static Arbitrary<JsonNode> bounds(Arbitrary<JsonNode> number) {
    Arbitrary<String> name = Arbitraries.of("gt", "gte", "lt", "lte");
    return Combinators.combine(name, number, name.injectNull(0.5), number)
        .as(
            (n1, v1, n2, v2) -> {
              ObjectNode r = JSON.objectNode();
              r.set(n1, v1);
              if (n2 != null && !n2.equals(n1)) {
                r.set(n2, v2);
              }
              return r;
            });
  }

  private static ObjectNode one(String name, JsonNode value) {
    ObjectNode o = JSON.objectNode();
    o.set(name, value);
    return o;
  }

  // ------------------------------------------------------------------ operations

  static Arbitrary<Op> op(int dim) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, search(dim, Api.SEARCH)),
        net.jqwik.api.Tuple.of(3, search(dim, Api.QUERY)),
        net.jqwik.api.Tuple.of(1, queryById()),
        net.jqwik.api.Tuple.of(
            1,
            Combinators.combine(
                    Arbitraries.of(Api.values()),
                    search(dim, Api.SEARCH).list().ofMinSize(1).ofMaxSize(3),
                    Arbitraries.of(InnerNames.values()))
                .as(SearchBatch::new)),
        net.jqwik.api.Tuple.of(3, optionalFilter().map(Count::new)),
        net.jqwik.api.Tuple.of(
            2,
            Combinators.combine(
                    optionalFilter(),
                    pointId(true).injectNull(0.6),
                    Arbitraries.integers().between(1, 12))
                .as(Scroll::new)),
        net.jqwik.api.Tuple.of(1, filter(3, CONDITION_KEYS).map(DeleteByFilter::new)),
        net.jqwik.api.Tuple.of(1, broken(dim)));
  }

  static Arbitrary<Search> search(int dim, Api api) {
    Arbitrary<Integer> limit =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(1, 12)),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(100)));
    Arbitrary<Integer> offset =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Arbitraries.just(0)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 6)));
    // Thresholds are moved off any score before use (DifferentialOracle.clearThreshold).
    Arbitrary<Float> threshold =
        Arbitraries.integers().between(-200, 400).map(i -> i / 100f).injectNull(0.7);
    Arbitrary<Boolean> with = Arbitraries.of(false, false, true);
    return Combinators.combine(vector(dim), optionalFilter(), limit, offset, threshold, with, with)
        .as((v, f, l, o, t, p, wv) -> new Search(api, v, null, f, l, o, t, p, wv));
  }

  /** Query by a stored point's id (the ids collide often enough with what is stored). */
  static Arbitrary<Search> queryById() {
    return Combinators.combine(
            pointId(true),
            optionalFilter(),
            Arbitraries.integers().between(1, 12),
            Arbitraries.of(false, true))
        .as((id, f, l, p) -> new Search(Api.QUERY, null, id, f, l, 0, null, p, false));
  }

  static Arbitrary<Op> broken(int dim) {
    return Combinators.combine(
            Arbitraries.of(Fault.values()),
            search(dim, Api.SEARCH),
            search(dim, Api.QUERY),
            Arbitraries.integers().between(0, 4),
            Arbitraries.of("a..b", "a[x]", "", "a.", "[0]", "a b", "a[-1]", "a[ ]", "\"open", "x]"))
        .as(
            (fault, s, q, place, badKey) -> {
              // QUERY_BY_MISSING_ID needs the Query API; the rest use either.
              Search base =
                  fault == Fault.QUERY_BY_MISSING_ID
                      ? new Search(
                          Api.QUERY,
                          null,
                          Pid.num(1_000_000),
                          q.filter(),
                          q.limit(),
                          0,
                          null,
                          false,
                          false)
                      : (place % 2 == 0 ? s : q);
              return new Broken(fault, base, place, badKey);
            });
  }
}
