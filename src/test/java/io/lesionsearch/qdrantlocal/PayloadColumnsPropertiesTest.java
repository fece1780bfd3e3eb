package io.lesionsearch.qdrantlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.NullValue;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The column path of keyword and range conditions ({@link KeywordColumn}, {@link NumberColumn})
 * decides every point as the per-payload path does, on payloads of every kind, and stays right
 * while points are replaced, deleted and their slots reused after the columns were built.
 */
class PayloadColumnsPropertiesTest {
  private static final int POINTS = 60;

  /** A write after the columns exist: replace point {@code id}'s payload, or delete the point. */
  record Write(int id, Optional<Map<String, Value>> payload) {}

  @Property(tries = 200)
  void columnsDecideAsThePayloads(
      @ForAll("payloads") List<Map<String, Value>> initial,
      @ForAll("filters") Filter filter,
      @ForAll("writes") List<Write> writes) {
    LocalCollection c = new LocalCollection("c", 2, VectorMetric.DOT);
    Map<PointKey, Map<String, Value>> live = new HashMap<>();
    for (int i = 0; i < initial.size(); i++) {
      put(c, live, i, initial.get(i));
    }
    PointPredicate p = FilterEvaluator.compile(filter);
    assertEquals(expected(p, live), c.count(p), "before the writes");
    for (Write w : writes) {
      if (w.payload().isPresent()) {
        put(c, live, w.id(), w.payload().get());
      } else {
        c.delete(List.of(PointKey.ofNumber(w.id())));
        live.remove(PointKey.ofNumber(w.id()));
      }
    }
    assertEquals(expected(p, live), c.count(p), "after the writes");
  }

  private static void put(
      LocalCollection c,
      Map<PointKey, Map<String, Value>> live,
      int id,
      Map<String, Value> payload) {
    PointKey key = PointKey.ofNumber(id);
    c.upsert(
        List.of(new LocalCollection.PointRecord(key, new float[] {1f, 0f}, payload)),
        LocalCollection.WriteMode.UPSERT);
    live.put(key, payload);
  }

  private static long expected(PointPredicate p, Map<PointKey, Map<String, Value>> live) {
    return live.entrySet().stream().filter(e -> p.test(e.getKey(), e.getValue())).count();
  }

  @Provide
  Arbitrary<List<Map<String, Value>>> payloads() {
    return payload().list().ofMaxSize(POINTS);
  }

  @Provide
  Arbitrary<List<Write>> writes() {
    Arbitrary<Optional<Map<String, Value>>> change =
        Arbitraries.frequencyOf(
            Tuple.of(4, payload().map(Optional::of)),
            Tuple.of(1, Arbitraries.just(Optional.<Map<String, Value>>empty())));
    return Combinators.combine(Arbitraries.integers().between(0, POINTS + 5), change)
        .as(Write::new)
        .list()
        .ofMaxSize(40);
  }

  /** {age, sex} each missing or any kind of value, numbers and strings from small sets. */
  private static Arbitrary<Map<String, Value>> payload() {
    return Combinators.combine(value().optional(), value().optional())
        .as(
            (age, sex) -> {
              Map<String, Value> m = new HashMap<>();
              age.ifPresent(v -> m.put("age", v));
              sex.ifPresent(v -> m.put("sex", v));
              return m;
            });
  }

  private static Arbitrary<Value> value() {
    Arbitrary<Value> scalar =
        Arbitraries.oneOf(
            Arbitraries.longs()
                .between(-5, 90)
                .map(x -> Value.newBuilder().setIntegerValue(x).build()),
            Arbitraries.of(-1.5, 0.0, 54.9, 55.0, 55.5, 90.0, Double.NaN)
                .map(x -> Value.newBuilder().setDoubleValue(x).build()),
            Arbitraries.of("female", "male", "55", "")
                .map(s -> Value.newBuilder().setStringValue(s).build()),
            Arbitraries.just(Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build()),
            Arbitraries.of(true, false).map(b -> Value.newBuilder().setBoolValue(b).build()));
    Arbitrary<Value> list =
        scalar
            .list()
            .ofMaxSize(3)
            .map(
                vs ->
                    Value.newBuilder()
                        .setListValue(ListValue.newBuilder().addAllValues(vs))
                        .build());
    return Arbitraries.frequencyOf(Tuple.of(5, scalar), Tuple.of(1, list));
  }

  /** A range on age, a keyword match on sex, or both (in must and should, as the tutorial's). */
  @Provide
  Arbitrary<Filter> filters() {
    Arbitrary<Condition> range =
        Combinators.combine(bound(), bound(), bound(), bound())
            .as(
                (lt, gt, lte, gte) -> {
                  Range.Builder r = Range.newBuilder();
                  lt.ifPresent(r::setLt);
                  gt.ifPresent(r::setGt);
                  lte.ifPresent(r::setLte);
                  gte.ifPresent(r::setGte);
                  return condition(FieldCondition.newBuilder().setKey("age").setRange(r));
                });
    Arbitrary<Condition> keyword =
        Arbitraries.of("female", "male", "55", "unknown")
            .map(
                s ->
                    condition(
                        FieldCondition.newBuilder()
                            .setKey("sex")
                            .setMatch(Match.newBuilder().setKeyword(s))));
    Arbitrary<Condition> any = Arbitraries.oneOf(range, keyword);
    return Combinators.combine(any.list().ofMaxSize(2), any.list().ofMaxSize(2))
        .as(
            (must, should) -> {
              List<Condition> m = new ArrayList<>(must);
              if (m.isEmpty() && should.isEmpty()) {
                m.add(
                    condition(
                        FieldCondition.newBuilder().setKey("age").setRange(Range.newBuilder())));
              }
              return Filter.newBuilder().addAllMust(m).addAllShould(should).build();
            });
  }

  private static Arbitrary<Optional<Double>> bound() {
    return Arbitraries.of(-1.0, 0.0, 54.9, 55.0, 55.5, 89.0).optional(0.4);
  }

  private static Condition condition(FieldCondition.Builder field) {
    return Condition.newBuilder().setField(field).build();
  }
}
