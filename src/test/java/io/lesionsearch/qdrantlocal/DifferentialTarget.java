package io.lesionsearch.qdrantlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lesionsearch.qdrantlocal.DifferentialCase.Api;
import io.lesionsearch.qdrantlocal.DifferentialCase.Broken;
import io.lesionsearch.qdrantlocal.DifferentialCase.Count;
import io.lesionsearch.qdrantlocal.DifferentialCase.DeleteByFilter;
import io.lesionsearch.qdrantlocal.DifferentialCase.Op;
import io.lesionsearch.qdrantlocal.DifferentialCase.Pid;
import io.lesionsearch.qdrantlocal.DifferentialCase.Point;
import io.lesionsearch.qdrantlocal.DifferentialCase.Scroll;
import io.lesionsearch.qdrantlocal.DifferentialCase.Search;
import io.lesionsearch.qdrantlocal.DifferentialCase.SearchBatch;
import io.lesionsearch.query.FilterJson;
import io.lesionsearch.query.QueryException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QueryFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.WithPayloadSelectorFactory;
import io.qdrant.client.WithVectorsSelectorFactory;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.HasIdCondition;
import io.qdrant.client.grpc.Common.NestedCondition;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsIdsList;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryBatchPoints;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchBatchPoints;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.VectorOutput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link DifferentialCase} against one server (the local endpoint or a real Qdrant) through
 * the official Java client, as the project's code calls it, and records what came back. Filters go
 * through {@link FilterJson}, the project's own REST-JSON-to-gRPC conversion.
 */
final class DifferentialTarget {
  final String label;
  private final QdrantClient client;

  DifferentialTarget(String label, QdrantClient client) {
    this.label = label;
    this.client = client;
  }

  /**
   * One search hit: canonical id, score, payload (empty unless asked) and vector (null unless
   * asked).
   */
  record Hit(String id, float score, Map<String, Value> payload, List<Float> vector) {}

  /** What an operation answered. */
  sealed interface Outcome permits Failed, Ranked, Batch, Counted, Page, Done {}

  record Failed(Status.Code code, String message) implements Outcome {
    @Override
    public String toString() {
      return code + " " + message;
    }
  }

  record Ranked(List<Hit> hits) implements Outcome {}

  record Batch(List<Ranked> results) implements Outcome {}

  record Counted(long count) implements Outcome {}

  record Page(List<Hit> points, String nextOffset) implements Outcome {}

  record Done() implements Outcome {}

  void create(String collection, DifferentialCase c) throws Exception {
    get(
        client.createCollectionAsync(
            collection,
            VectorParams.newBuilder().setSize(c.dim()).setDistance(c.distance()).build()));
  }

  /** Upserts one batch with wait=true; an error comes back as an outcome, not an exception. */
  Outcome upsert(String collection, List<Point> batch) {
    UpsertPoints.Builder b = UpsertPoints.newBuilder().setCollectionName(collection).setWait(true);
    for (Point p : batch) {
      b.addPoints(
          PointStruct.newBuilder()
              .setId(p.id().wireProto())
              .setVectors(VectorsFactory.vectors(p.vector()))
              .putAllPayload(payload(p.payload())));
    }
    return call(
        () -> {
          get(client.upsertAsync(b.build()));
          return new Done();
        });
  }

  void drop(String collection) {
    try {
      get(client.deleteCollectionAsync(collection));
    } catch (Exception e) {
      // already gone: QdrantUnderTest.close() tries again for the real server
    }
  }

  Outcome run(String collection, Op op) {
    return call(
        () -> {
          if (op instanceof Search s) {
            return ranked(
                s.api() == Api.SEARCH
                    ? get(client.searchAsync(searchRequest(collection, s, filter(s.filter()))))
                    : get(client.queryAsync(queryRequest(collection, s, filter(s.filter())))));
          }
          if (op instanceof SearchBatch b) {
            // Raw gRPC: the client's searchBatchAsync rewrites inner collection names,
            // queryBatchAsync
            // does not; the case decides what the inner requests carry.
            String inner =
                switch (b.innerNames()) {
                  case SAME -> collection;
                  case OTHER -> collection + "-other";
                  case EMPTY -> "";
                };
            List<Ranked> out = new ArrayList<>();
            if (b.api() == Api.SEARCH) {
              SearchBatchPoints.Builder req =
                  SearchBatchPoints.newBuilder().setCollectionName(collection);
              for (Search s : b.searches()) {
                req.addSearchPoints(searchRequest(inner, s, filter(s.filter())));
              }
              get(client.grpcClient().points().searchBatch(req.build()))
                  .getResultList()
                  .forEach(r -> out.add(ranked(r.getResultList())));
            } else {
              QueryBatchPoints.Builder req =
                  QueryBatchPoints.newBuilder().setCollectionName(collection);
              for (Search s : b.searches()) {
                req.addQueryPoints(queryRequest(inner, s, filter(s.filter())));
              }
              get(client.grpcClient().points().queryBatch(req.build()))
                  .getResultList()
                  .forEach(r -> out.add(ranked(r.getResultList())));
            }
            return new Batch(out);
          }
          if (op instanceof Count c) {
            // exact=true: an approximate count would be Qdrant's estimate, not a fact to compare
            return new Counted(get(client.countAsync(collection, filter(c.filter()), true)));
          }
          if (op instanceof Scroll s) {
            ScrollPoints.Builder r =
                ScrollPoints.newBuilder().setCollectionName(collection).setLimit(s.limit());
            Filter f = filter(s.filter());
            if (f != null) {
              r.setFilter(f);
            }
            if (s.offset() != null) {
              r.setOffset(s.offset().wireProto());
            }
            ScrollResponse page = get(client.scrollAsync(r.build()));
            List<Hit> points = new ArrayList<>();
            for (RetrievedPoint p : page.getResultList()) {
              points.add(new Hit(Pid.canonical(p.getId()), Float.NaN, p.getPayloadMap(), null));
            }
            return new Page(
                points, page.hasNextPageOffset() ? Pid.canonical(page.getNextPageOffset()) : null);
          }
          if (op instanceof DeleteByFilter d) {
            get(
                client.deleteAsync(
                    DeletePoints.newBuilder()
                        .setCollectionName(collection)
                        .setWait(true)
                        .setPoints(PointsSelector.newBuilder().setFilter(filter(d.filter())))
                        .build()));
            return new Done();
          }
          Broken b = (Broken) op;
          return broken(collection, b);
        });
  }

  /** Deletes by ids: how the test puts the local endpoint back in step after a refused delete. */
  Outcome deleteIds(String collection, List<Pid> ids) {
    if (ids.isEmpty()) {
      return new Done();
    }
    List<PointId> protos = new ArrayList<>();
    ids.forEach(id -> protos.add(id.wireProto()));
    return call(
        () -> {
          get(
              client.deleteAsync(
                  DeletePoints.newBuilder()
                      .setCollectionName(collection)
                      .setWait(true)
                      .setPoints(
                          PointsSelector.newBuilder()
                              .setPoints(PointsIdsList.newBuilder().addAllIds(protos)))
                      .build()));
          return new Done();
        });
  }

  private Outcome broken(String collection, Broken b) throws Exception {
    Search s = b.search();
    Filter host = filter(s.filter());
    Filter.Builder f = host == null ? Filter.newBuilder() : host.toBuilder();
    Condition bad = null;
    switch (b.fault()) {
      case WRONG_DIMENSION -> {
        float[] longer = java.util.Arrays.copyOf(s.vector(), s.vector().length + 1);
        s =
            new Search(
                s.api(),
                longer,
                null,
                s.filter(),
                s.limit(),
                s.offset(),
                s.threshold(),
                s.withPayload(),
                s.withVectors());
      }
      case LIMIT_ZERO ->
          s =
              new Search(
                  s.api(),
                  s.vector(),
                  s.byId(),
                  s.filter(),
                  0,
                  s.offset(),
                  s.threshold(),
                  s.withPayload(),
                  s.withVectors());
      case BAD_UUID ->
          bad =
              Condition.newBuilder()
                  .setHasId(
                      HasIdCondition.newBuilder()
                          .addHasId(PointId.newBuilder().setUuid("not-a-uuid")))
                  .build();
      case KEY_ONLY_CONDITION ->
          bad = Condition.newBuilder().setField(FieldCondition.newBuilder().setKey("a")).build();
      case BAD_KEY_PATH -> bad = io.qdrant.client.ConditionFactory.matchKeyword(b.badKey(), "a");
      case NESTED_WITHOUT_FILTER ->
          bad =
              Condition.newBuilder().setNested(NestedCondition.newBuilder().setKey("arr")).build();
      case MISSING_COLLECTION -> collection = collection + "-missing";
      case QUERY_BY_MISSING_ID -> {}
      default -> throw new IllegalStateException();
    }
    if (bad != null) {
      switch (b.place()) {
        case 0 -> f.addMust(bad);
        case 1 -> f.addShould(bad);
        case 2 -> f.addMustNot(bad);
        case 3 -> f.setMinShould(f.getMinShould().toBuilder().addConditions(bad));
        default ->
            f.addMust(
                io.qdrant.client.ConditionFactory.nested(
                    "arr", Filter.newBuilder().addMustNot(bad).build()));
      }
    }
    Filter filter = bad != null ? f.build() : host;
    return ranked(
        s.api() == Api.SEARCH
            ? get(client.searchAsync(searchRequest(collection, s, filter)))
            : get(client.queryAsync(queryRequest(collection, s, filter))));
  }

  static SearchPoints searchRequest(String collection, Search s, Filter filter) {
    SearchPoints.Builder r =
        SearchPoints.newBuilder()
            .setCollectionName(collection)
            .setLimit(s.limit())
            .setOffset(s.offset())
            .setParams(SearchParams.newBuilder().setExact(true))
            .setWithPayload(WithPayloadSelectorFactory.enable(s.withPayload()))
            .setWithVectors(WithVectorsSelectorFactory.enable(s.withVectors()));
    for (float x : s.vector()) {
      r.addVector(x);
    }
    if (filter != null) {
      r.setFilter(filter);
    }
    if (s.threshold() != null) {
      r.setScoreThreshold(s.threshold());
    }
    return r.build();
  }

  static QueryPoints queryRequest(String collection, Search s, Filter filter) {
    QueryPoints.Builder r =
        QueryPoints.newBuilder()
            .setCollectionName(collection)
            .setLimit(s.limit())
            .setOffset(s.offset())
            .setParams(SearchParams.newBuilder().setExact(true))
            .setWithPayload(WithPayloadSelectorFactory.enable(s.withPayload()))
            .setWithVectors(WithVectorsSelectorFactory.enable(s.withVectors()))
            .setQuery(
                s.byId() != null
                    ? QueryFactory.nearest(s.byId().wireProto())
                    : QueryFactory.nearest(s.vector()));
    if (filter != null) {
      r.setFilter(filter);
    }
    if (s.threshold() != null) {
      r.setScoreThreshold(s.threshold());
    }
    return r.build();
  }

  /** The project's conversion; a filter it refuses is a generator bug, not a server answer. */
  static Filter filter(ObjectNode json) {
    if (json == null) {
      return null;
    }
    try {
      return FilterJson.parse(json, "filter");
    } catch (QueryException e) {
      throw new IllegalStateException(
          "FilterJson refused a generated filter " + json + ": " + e.getMessage(), e);
    }
  }

  private static Ranked ranked(List<ScoredPoint> points) {
    List<Hit> hits = new ArrayList<>();
    for (ScoredPoint p : points) {
      List<Float> vector = null;
      if (p.hasVectors()) {
        VectorOutput v = p.getVectors().getVector();
        vector = v.hasDense() ? v.getDense().getDataList() : v.getDataList();
      }
      hits.add(new Hit(Pid.canonical(p.getId()), p.getScore(), p.getPayloadMap(), vector));
    }
    return new Ranked(hits);
  }

  @FunctionalInterface
  private interface Call {
    Outcome run() throws Exception;
  }

  private static Outcome call(Call c) {
    try {
      return c.run();
    } catch (StatusRuntimeException e) {
      return new Failed(e.getStatus().getCode(), e.getStatus().getDescription());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        return new Failed(s.getStatus().getCode(), s.getStatus().getDescription());
      }
      throw new IllegalStateException(e.getCause());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    // bounded, so a hung server fails the case instead of the build
    return f.get(60, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ payload conversion

  /** JSON to Qdrant's Value, keeping integers and doubles apart (integer_value vs double_value). */
  static Map<String, Value> payload(ObjectNode json) {
    Map<String, Value> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), QdrantFixture.value(e.getValue()));
    }
    return out;
  }
}
