package io.lesionsearch.qdrantlocal;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.ClearPayloadPoints;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CountResponse;
import io.qdrant.client.grpc.Points.CountResult;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.CreateVectorNameRequest;
import io.qdrant.client.grpc.Points.DeleteFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePayloadPoints;
import io.qdrant.client.grpc.Points.DeletePointVectors;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DeleteVectorNameRequest;
import io.qdrant.client.grpc.Points.DiscoverBatchPoints;
import io.qdrant.client.grpc.Points.DiscoverBatchResponse;
import io.qdrant.client.grpc.Points.DiscoverPoints;
import io.qdrant.client.grpc.Points.DiscoverResponse;
import io.qdrant.client.grpc.Points.FacetCounts;
import io.qdrant.client.grpc.Points.FacetResponse;
import io.qdrant.client.grpc.Points.GetPoints;
import io.qdrant.client.grpc.Points.GetResponse;
import io.qdrant.client.grpc.Points.GroupsResult;
import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryBatchPoints;
import io.qdrant.client.grpc.Points.QueryBatchResponse;
import io.qdrant.client.grpc.Points.QueryGroupsResponse;
import io.qdrant.client.grpc.Points.QueryPointGroups;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.RecommendBatchPoints;
import io.qdrant.client.grpc.Points.RecommendBatchResponse;
import io.qdrant.client.grpc.Points.RecommendGroupsResponse;
import io.qdrant.client.grpc.Points.RecommendPointGroups;
import io.qdrant.client.grpc.Points.RecommendPoints;
import io.qdrant.client.grpc.Points.RecommendResponse;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.SearchBatchPoints;
import io.qdrant.client.grpc.Points.SearchBatchResponse;
import io.qdrant.client.grpc.Points.SearchGroupsResponse;
import io.qdrant.client.grpc.Points.SearchMatrixOffsetsResponse;
import io.qdrant.client.grpc.Points.SearchMatrixPairsResponse;
import io.qdrant.client.grpc.Points.SearchMatrixPoints;
import io.qdrant.client.grpc.Points.SearchPointGroups;
import io.qdrant.client.grpc.Points.SearchPoints;
import io.qdrant.client.grpc.Points.SearchResponse;
import io.qdrant.client.grpc.Points.SetPayloadPoints;
import io.qdrant.client.grpc.Points.UpdateBatchPoints;
import io.qdrant.client.grpc.Points.UpdateBatchResponse;
import io.qdrant.client.grpc.Points.UpdatePointVectors;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import io.qdrant.client.grpc.PointsGrpc;
import java.util.ArrayList;
import java.util.List;

/**
 * Points RPCs over {@link LocalCollection}s. Each request is validated and converted completely
 * before the collection is touched, so a bad point in a batch changes nothing.
 */
final class PointsService extends PointsGrpc.PointsImplBase {
  private static final int DEFAULT_LIMIT = 10;

  private final CollectionRegistry registry;

  PointsService(CollectionRegistry registry) {
    this.registry = registry;
  }

  // ---------------------------------------------------------------- writes
  //
  // Each RPC runs its checks in Qdrant's order: request validation (Validation), then the
  // conversion of ids, filters and key paths, then the collection lookup (NOT_FOUND), then what
  // needs the collection (vector sizes), then the read-only key's refusal (Access), then the
  // operation itself.

  @Override
  public void upsert(UpsertPoints req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation().collectionName("collection_name", req.getCollectionName()).check();
          if (req.hasShardKeySelector()) {
            throw Errors.unsupported("shard keys");
          }
          if (req.hasUpdateFilter()) {
            throw Errors.unsupported("conditional upserts (update_filter)");
          }
          LocalCollection.WriteMode mode = LocalCollection.WriteMode.UPSERT;
          if (req.hasUpdateMode()) {
            switch (req.getUpdateMode()) {
              case InsertOnly:
                mode = LocalCollection.WriteMode.INSERT_ONLY;
                break;
              case UpdateOnly:
                mode = LocalCollection.WriteMode.UPDATE_ONLY;
                break;
              case Upsert:
                break;
              default:
                throw Errors.invalidArgument("Unknown update mode " + req.getUpdateMode());
            }
          }
          List<PointKey> ids = new ArrayList<>(req.getPointsCount());
          for (PointStruct p : req.getPointsList()) {
            ids.add(pointId(p));
          }
          LocalCollection c = registry.get(req.getCollectionName());
          List<LocalCollection.PointRecord> records = new ArrayList<>(req.getPointsCount());
          for (int i = 0; i < req.getPointsCount(); i++) {
            records.add(toRecord(c, ids.get(i), req.getPoints(i)));
          }
          Access.requireWrite();
          if (records.isEmpty()) {
            throw Errors.badRequest("Empty update request");
          }
          return written(c.upsert(records, mode), req.hasWait() && req.getWait(), t0);
        });
  }

  private static PointsOperationResponse written(long operationId, boolean wait, long t0) {
    // Writes are applied before the answer in both cases; only the status word differs.
    return PointsOperationResponse.newBuilder()
        .setResult(
            UpdateResult.newBuilder()
                .setOperationId(operationId)
                .setStatus(wait ? UpdateStatus.Completed : UpdateStatus.Acknowledged))
        .setTime(Rpc.secondsSince(t0))
        .build();
  }

  /** The point's id and that it has vectors: converted before the collection is looked up. */
  private static PointKey pointId(PointStruct p) {
    if (!p.hasId()) {
      throw Errors.invalidArgument("Empty ID is not allowed");
    }
    PointKey id = PointKey.fromProto(p.getId());
    if (!p.hasVectors()) {
      throw Errors.invalidArgument("Expected some vectors");
    }
    return id;
  }

  private static LocalCollection.PointRecord toRecord(
      LocalCollection c, PointKey id, PointStruct p) {
    float[] v = denseVector(p.getVectors(), c.dim);
    c.metric.preprocessInPlace(v);
    return new LocalCollection.PointRecord(id, v, PayloadValues.normalize(p.getPayloadMap()));
  }

  private static float[] denseVector(Vectors vectors, int dim) {
    switch (vectors.getVectorsOptionsCase()) {
      case VECTOR:
        return denseVector(vectors.getVector(), dim);
      case VECTORS:
        {
          var named = vectors.getVectors().getVectorsMap();
          // "" is Qdrant's name for the unnamed vector.
          if (named.size() == 1 && named.containsKey("")) {
            return denseVector(named.get(""), dim);
          }
          throw Errors.unsupported("named vectors");
        }
      default:
        throw Errors.invalidArgument("Expected some vectors");
    }
  }

  @SuppressWarnings("deprecation")
  private static float[] denseVector(Vector v, int dim) {
    switch (v.getVectorCase()) {
      case DENSE:
        {
          int n = v.getDense().getDataCount();
          if (n != dim) {
            throw Errors.dimension(dim, n);
          }
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = v.getDense().getData(i);
          }
          return out;
        }
      case VECTOR_NOT_SET:
        {
          if (v.hasIndices()) {
            throw Errors.unsupported("sparse vectors");
          }
          if (v.hasVectorsCount() && v.getVectorsCount() > 1) {
            throw Errors.unsupported("multivectors");
          }
          int n = v.getDataCount();
          if (n != dim) {
            throw Errors.dimension(dim, n);
          }
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            out[i] = v.getData(i);
          }
          return out;
        }
      case SPARSE:
        throw Errors.unsupported("sparse vectors");
      case MULTI_DENSE:
        throw Errors.unsupported("multivectors");
      default:
        throw Errors.unsupported("server-side inference (" + v.getVectorCase() + ")");
    }
  }

  @Override
  public void delete(DeletePoints req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation().collectionName("collection_name", req.getCollectionName()).check();
          if (req.hasShardKeySelector()) {
            throw Errors.unsupported("shard keys");
          }
          PointsSelector sel = req.getPoints();
          List<PointKey> ids = null;
          PointPredicate filter = null;
          switch (sel.getPointsSelectorOneOfCase()) {
            case POINTS:
              ids = new ArrayList<>();
              for (PointId id : sel.getPoints().getIdsList()) {
                ids.add(PointKey.fromProto(id));
              }
              break;
            case FILTER:
              // Qdrant does not validate this filter (DeletePoints.points has no nested
              // validation),
              // so a condition with only a key is accepted here and deletes nothing.
              filter = FilterEvaluator.compile(sel.getFilter());
              break;
            default:
              throw Errors.invalidArgument("PointSelector is missing");
          }
          LocalCollection c = registry.get(req.getCollectionName());
          if (filter != null) {
            refuseIndexedTextMatches(c, true, sel.getFilter());
          }
          Access.requireWrite();
          if (ids != null && ids.isEmpty()) {
            throw Errors.badRequest("Empty update request");
          }
          long op = ids != null ? c.delete(ids) : c.deleteWhere(filter);
          return written(op, req.hasWait() && req.getWait(), t0);
        });
  }

  @Override
  public void createFieldIndex(
      CreateFieldIndexCollection req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .notEmpty("field_name", req.getFieldName())
              .check();
          KeyPath.parse(req.getFieldName());
          PayloadIndexParams params = req.hasFieldIndexParams() ? req.getFieldIndexParams() : null;
          PayloadSchemaType type = schemaType(req, params);
          LocalCollection c = registry.get(req.getCollectionName());
          Access.requireWrite();
          // Recorded for CollectionInfo only: every filter is a full scan here, so an index changes
          // speed on a real server, not answers.
          return written(
              c.recordIndex(req.getFieldName(), type, params), req.hasWait() && req.getWait(), t0);
        });
  }

  /**
   * The index type as Qdrant's convert_field_type (src/tonic/api/update_common.rs) reads it: the
   * field_type is required; index params, when given, must be of the same type.
   */
  private static PayloadSchemaType schemaType(
      CreateFieldIndexCollection req, PayloadIndexParams params) {
    if (!req.hasFieldType()) {
      throw Errors.invalidArgument("cannot convert field_type");
    }
    PayloadSchemaType type;
    PayloadIndexParams.IndexParamsCase expected;
    switch (req.getFieldType()) {
      case FieldTypeKeyword:
        type = PayloadSchemaType.Keyword;
        expected = PayloadIndexParams.IndexParamsCase.KEYWORD_INDEX_PARAMS;
        break;
      case FieldTypeInteger:
        type = PayloadSchemaType.Integer;
        expected = PayloadIndexParams.IndexParamsCase.INTEGER_INDEX_PARAMS;
        break;
      case FieldTypeFloat:
        type = PayloadSchemaType.Float;
        expected = PayloadIndexParams.IndexParamsCase.FLOAT_INDEX_PARAMS;
        break;
      case FieldTypeGeo:
        type = PayloadSchemaType.Geo;
        expected = PayloadIndexParams.IndexParamsCase.GEO_INDEX_PARAMS;
        break;
      case FieldTypeText:
        type = PayloadSchemaType.Text;
        expected = PayloadIndexParams.IndexParamsCase.TEXT_INDEX_PARAMS;
        break;
      case FieldTypeBool:
        type = PayloadSchemaType.Bool;
        expected = PayloadIndexParams.IndexParamsCase.BOOL_INDEX_PARAMS;
        break;
      case FieldTypeDatetime:
        type = PayloadSchemaType.Datetime;
        expected = PayloadIndexParams.IndexParamsCase.DATETIME_INDEX_PARAMS;
        break;
      case FieldTypeUuid:
        type = PayloadSchemaType.Uuid;
        expected = PayloadIndexParams.IndexParamsCase.UUID_INDEX_PARAMS;
        break;
      default:
        if (params != null) {
          throw Errors.invalidArgument("field type is missing");
        }
        // Qdrant would infer the type from the stored values; refused rather than guessed.
        throw Errors.unsupported(
            "payload indexes without a known field_type (" + req.getFieldTypeValue() + ")");
    }
    if (params != null
        && params.getIndexParamsCase() != PayloadIndexParams.IndexParamsCase.INDEXPARAMS_NOT_SET
        && params.getIndexParamsCase() != expected) {
      // Rust's Debug of the gRPC FieldType: "Keyword", "Integer", ...
      throw Errors.invalidArgument(
          "field_type (" + type.name() + ") and field_index_params do not match");
    }
    return type;
  }

  @Override
  public void deleteFieldIndex(
      DeleteFieldIndexCollection req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .notEmpty("field_name", req.getFieldName())
              .check();
          // Qdrant checks the key's access before it looks the collection up, here.
          Access.requireWrite();
          LocalCollection c = registry.get(req.getCollectionName());
          return written(c.dropIndex(req.getFieldName()), req.hasWait() && req.getWait(), t0);
        });
  }

  // ---------------------------------------------------------------- reads

  @Override
  public void get(GetPoints req, StreamObserver<GetResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation().collectionName("collection_name", req.getCollectionName()).check();
          if (req.hasShardKeySelector()) {
            throw Errors.unsupported("shard keys");
          }
          List<PointKey> ids = new ArrayList<>(req.getIdsCount());
          for (PointId id : req.getIdsList()) {
            ids.add(PointKey.fromProto(id));
          }
          LocalCollection c = registry.get(req.getCollectionName());
          PayloadSelection sel =
              PayloadSelection.of(req.hasWithPayload(), req.getWithPayload(), false);
          boolean vectors = withVectors(req.hasWithVectors(), req.getWithVectors());
          return GetResponse.newBuilder()
              .addAllResult(c.get(ids, sel, vectors))
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  private static boolean withVectors(boolean present, WithVectorsSelector sel) {
    if (!present) {
      return false;
    }
    switch (sel.getSelectorOptionsCase()) {
      case ENABLE:
        return sel.getEnable();
      case INCLUDE:
        {
          boolean any = false;
          for (String name : sel.getInclude().getNamesList()) {
            if (!name.isEmpty()) {
              throw Errors.wrongInput("Not existing vector name error: " + name);
            }
            any = true;
          }
          return any;
        }
      default:
        return false;
    }
  }

  @Override
  public void count(CountPoints req, StreamObserver<CountResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .filter("filter", req.hasFilter(), req.getFilter())
              .check();
          if (req.hasShardKeySelector()) {
            throw Errors.unsupported("shard keys");
          }
          PointPredicate filter = filter(req.hasFilter(), req.getFilter());
          LocalCollection c = registry.get(req.getCollectionName());
          refuseIndexedTextMatches(c, req.hasFilter(), req.getFilter());
          // Always exact: an approximate count may be exact.
          long n = c.count(filter);
          return CountResponse.newBuilder()
              .setResult(CountResult.newBuilder().setCount(n))
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  private static PointPredicate filter(boolean present, Filter f) {
    return present ? FilterEvaluator.compile(f) : PointPredicate.ALWAYS;
  }

  /**
   * Full-text conditions are answered as Qdrant answers them without a full-text index (a
   * substring); on a key with a text index Qdrant matches tokens instead, which this endpoint does
   * not reproduce, so that case is refused.
   */
  private static void refuseIndexedTextMatches(LocalCollection c, boolean present, Filter f) {
    if (!present) {
      return;
    }
    for (String key : FilterEvaluator.textMatchKeys(f)) {
      if (c.hasIndex(key, PayloadSchemaType.Text)) {
        throw Errors.unsupported(
            "full-text match conditions on a key with a text index ('"
                + key
                + "': Qdrant matches its tokens)");
      }
    }
  }

  @Override
  public void scroll(ScrollPoints req, StreamObserver<ScrollResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .filter("filter", req.hasFilter(), req.getFilter())
              .atLeastOne("limit", req.hasLimit(), req.getLimit())
              .check();
          if (req.hasOrderBy()) {
            throw Errors.unsupported("scroll with order_by");
          }
          if (req.hasShardKeySelector()) {
            throw Errors.unsupported("shard keys");
          }
          // uint32 on the wire: a "negative" int is a large unsigned limit.
          long limit = req.hasLimit() ? Integer.toUnsignedLong(req.getLimit()) : DEFAULT_LIMIT;
          PointKey from = req.hasOffset() ? PointKey.fromProto(req.getOffset()) : null;
          PointPredicate filter = filter(req.hasFilter(), req.getFilter());
          LocalCollection c = registry.get(req.getCollectionName());
          refuseIndexedTextMatches(c, req.hasFilter(), req.getFilter());
          PayloadSelection sel =
              PayloadSelection.of(req.hasWithPayload(), req.getWithPayload(), true);
          LocalCollection.Page page =
              c.scroll(
                  from,
                  (int) Math.min(limit, Integer.MAX_VALUE),
                  filter,
                  sel,
                  withVectors(req.hasWithVectors(), req.getWithVectors()));
          ScrollResponse.Builder b =
              ScrollResponse.newBuilder().addAllResult(page.points).setTime(Rpc.secondsSince(t0));
          if (page.nextOffset != null) {
            b.setNextPageOffset(page.nextOffset.toProto());
          }
          return b.build();
        });
  }

  @Override
  public void search(SearchPoints req, StreamObserver<SearchResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          Validation v = new Validation();
          validate(v, req, "");
          v.check();
          PointPredicate filter = filter(req.hasFilter(), req.getFilter());
          LocalCollection c = registry.get(req.getCollectionName());
          refuseIndexedTextMatches(c, req.hasFilter(), req.getFilter());
          List<ScoredPoint> result = c.search(searchSpec(c, req, filter));
          return SearchResponse.newBuilder()
              .addAllResult(result)
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  /** SearchPoints' validation rules, under {@code prefix} inside a batch. */
  private static void validate(Validation v, SearchPoints req, String prefix) {
    v.collectionName(prefix + "collection_name", req.getCollectionName())
        .filter(prefix + "filter", req.hasFilter(), req.getFilter())
        .atLeastOne(prefix + "limit", true, req.getLimit())
        .atLeastOne(prefix + "timeout", req.hasTimeout(), req.getTimeout());
  }

  @Override
  public void searchBatch(SearchBatchPoints req, StreamObserver<SearchBatchResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          // Every inner request is validated as a whole request, collection_name included (the
          // official client's searchBatchAsync fills it in); the outer name is the one searched.
          Validation v =
              new Validation()
                  .collectionName("collection_name", req.getCollectionName())
                  .atLeastOne("timeout", req.hasTimeout(), req.getTimeout());
          for (int i = 0; i < req.getSearchPointsCount(); i++) {
            validate(v, req.getSearchPoints(i), "search_points[" + i + "].");
          }
          v.check();
          List<PointPredicate> filters = new ArrayList<>();
          for (SearchPoints s : req.getSearchPointsList()) {
            filters.add(filter(s.hasFilter(), s.getFilter()));
          }
          LocalCollection c = registry.get(req.getCollectionName());
          List<LocalCollection.SearchSpec> specs = new ArrayList<>();
          for (int i = 0; i < req.getSearchPointsCount(); i++) {
            SearchPoints s = req.getSearchPoints(i);
            refuseIndexedTextMatches(c, s.hasFilter(), s.getFilter());
            specs.add(searchSpec(c, s, filters.get(i)));
          }
          SearchBatchResponse.Builder b = SearchBatchResponse.newBuilder();
          for (LocalCollection.SearchSpec s : specs) {
            b.addResult(BatchResult.newBuilder().addAllResult(c.search(s)));
          }
          return b.setTime(Rpc.secondsSince(t0)).build();
        });
  }

  private static LocalCollection.SearchSpec searchSpec(
      LocalCollection c, SearchPoints req, PointPredicate filter) {
    if (req.hasVectorName() && !req.getVectorName().isEmpty()) {
      throw Errors.unsupported("named vectors (vector_name)");
    }
    if (req.hasSparseIndices()) {
      throw Errors.unsupported("sparse vectors");
    }
    if (req.hasShardKeySelector()) {
      throw Errors.unsupported("shard keys");
    }
    if (req.getVectorCount() != c.dim) {
      throw Errors.dimension(c.dim, req.getVectorCount());
    }
    float[] q = new float[c.dim];
    for (int i = 0; i < q.length; i++) {
      q[i] = req.getVector(i);
    }
    c.metric.preprocessInPlace(q);
    LocalCollection.SearchSpec s = new LocalCollection.SearchSpec();
    s.query = q;
    s.filter = filter;
    s.limit = (int) unsignedClamp(req.getLimit());
    s.offset = req.hasOffset() ? req.getOffset() : 0;
    s.threshold = req.hasScoreThreshold() ? req.getScoreThreshold() : null;
    s.payload = PayloadSelection.of(req.hasWithPayload(), req.getWithPayload(), false);
    s.withVectors = withVectors(req.hasWithVectors(), req.getWithVectors());
    return s;
  }

  /** A uint64 limit as a Java int: values past Integer.MAX_VALUE (or "negative") saturate. */
  private static long unsignedClamp(long unsigned) {
    return unsigned < 0 || unsigned > Integer.MAX_VALUE ? Integer.MAX_VALUE : unsigned;
  }

  @Override
  public void query(QueryPoints req, StreamObserver<QueryResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          Validation v = new Validation();
          validate(v, req, "");
          v.check();
          PointPredicate filter = filter(req.hasFilter(), req.getFilter());
          LocalCollection c = registry.get(req.getCollectionName());
          refuseIndexedTextMatches(c, req.hasFilter(), req.getFilter());
          List<ScoredPoint> result = runQuery(c, req, filter);
          return QueryResponse.newBuilder()
              .addAllResult(result)
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  /** QueryPoints' validation rules, under {@code prefix} inside a batch. */
  private static void validate(Validation v, QueryPoints req, String prefix) {
    v.collectionName(prefix + "collection_name", req.getCollectionName())
        .filter(prefix + "filter", req.hasFilter(), req.getFilter())
        .atLeastOne(prefix + "limit", req.hasLimit(), req.getLimit())
        .atLeastOne(prefix + "timeout", req.hasTimeout(), req.getTimeout());
  }

  @Override
  public void queryBatch(QueryBatchPoints req, StreamObserver<QueryBatchResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          // As in SearchBatch, every inner request needs its own collection_name; unlike
          // searchBatchAsync, the official client's queryBatchAsync does not fill it in.
          Validation v =
              new Validation()
                  .collectionName("collection_name", req.getCollectionName())
                  .atLeastOne("timeout", req.hasTimeout(), req.getTimeout());
          for (int i = 0; i < req.getQueryPointsCount(); i++) {
            validate(v, req.getQueryPoints(i), "query_points[" + i + "].");
          }
          v.check();
          List<PointPredicate> filters = new ArrayList<>();
          for (QueryPoints q : req.getQueryPointsList()) {
            filters.add(filter(q.hasFilter(), q.getFilter()));
          }
          LocalCollection c = registry.get(req.getCollectionName());
          List<List<ScoredPoint>> results = new ArrayList<>();
          for (int i = 0; i < req.getQueryPointsCount(); i++) {
            QueryPoints q = req.getQueryPoints(i);
            refuseIndexedTextMatches(c, q.hasFilter(), q.getFilter());
            results.add(runQuery(c, q, filters.get(i)));
          }
          QueryBatchResponse.Builder b = QueryBatchResponse.newBuilder();
          for (List<ScoredPoint> r : results) {
            b.addResult(BatchResult.newBuilder().addAllResult(r));
          }
          return b.setTime(Rpc.secondsSince(t0)).build();
        });
  }

  private static List<ScoredPoint> runQuery(
      LocalCollection c, QueryPoints req, PointPredicate filter) {
    if (req.getPrefetchCount() > 0) {
      throw Errors.unsupported("prefetch in queries");
    }
    if (req.hasUsing() && !req.getUsing().isEmpty()) {
      throw Errors.unsupported("named vectors (using)");
    }
    if (req.hasLookupFrom()) {
      throw Errors.unsupported("lookup_from");
    }
    if (req.hasShardKeySelector()) {
      throw Errors.unsupported("shard keys");
    }
    int limit = req.hasLimit() ? (int) unsignedClamp(req.getLimit()) : DEFAULT_LIMIT;
    long offset = req.hasOffset() ? req.getOffset() : 0;
    PayloadSelection sel = PayloadSelection.of(req.hasWithPayload(), req.getWithPayload(), false);
    boolean vectors = withVectors(req.hasWithVectors(), req.getWithVectors());
    if (!req.hasQuery()) {
      if (req.hasScoreThreshold()) {
        // lib/collection/src/operations/universal_query/collection_query.rs
        throw Errors.badRequest(
            "A query is needed to use the score_threshold. Can't have"
                + " score_threshold without defining a query.");
      }
      // Without a query Qdrant returns points in id order.
      return c.byId(filter, limit, offset, sel, vectors);
    }
    Query query = req.getQuery();
    if (query.getVariantCase() != Query.VariantCase.NEAREST) {
      throw Errors.unsupported(
          "the query type " + query.getVariantCase() + " (only nearest by vector or by point id)");
    }
    LocalCollection.SearchSpec s = new LocalCollection.SearchSpec();
    VectorInput in = query.getNearest();
    switch (in.getVariantCase()) {
      case DENSE:
        {
          int n = in.getDense().getDataCount();
          if (n != c.dim) {
            throw Errors.dimension(c.dim, n);
          }
          s.query = new float[n];
          for (int i = 0; i < n; i++) {
            s.query[i] = in.getDense().getData(i);
          }
          c.metric.preprocessInPlace(s.query);
          break;
        }
      case ID:
        {
          PointKey id = PointKey.fromProto(in.getId());
          float[] v = c.vectorOf(id);
          if (v == null) {
            throw Errors.pointNotFound(id);
          }
          s.query = v;
          // The example point itself is not an answer, as in Qdrant.
          s.exclude = id;
          break;
        }
      case SPARSE:
        throw Errors.unsupported("sparse vectors");
      case MULTI_DENSE:
        throw Errors.unsupported("multivectors");
      case VARIANT_NOT_SET:
        throw Errors.invalidArgument("VectorInput variant is missing");
      default:
        throw Errors.unsupported("server-side inference (" + in.getVariantCase() + ")");
    }
    s.filter = filter;
    s.limit = limit;
    s.offset = offset;
    s.threshold = req.hasScoreThreshold() ? req.getScoreThreshold() : null;
    s.payload = sel;
    s.withVectors = vectors;
    return c.search(s);
  }

  // ---------------------------------------------------------------- refused

  @Override
  public void updateVectors(UpdatePointVectors req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/UpdateVectors (upsert the whole point instead)");
  }

  @Override
  public void deleteVectors(DeletePointVectors req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/DeleteVectors");
  }

  @Override
  public void setPayload(SetPayloadPoints req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/SetPayload (upsert the whole point instead)");
  }

  @Override
  public void overwritePayload(SetPayloadPoints req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/OverwritePayload (upsert the whole point instead)");
  }

  @Override
  public void deletePayload(DeletePayloadPoints req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/DeletePayload (upsert the whole point instead)");
  }

  @Override
  public void clearPayload(ClearPayloadPoints req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/ClearPayload (upsert the whole point instead)");
  }

  @Override
  public void createVectorName(
      CreateVectorNameRequest req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/CreateVectorName (named vectors)");
  }

  @Override
  public void deleteVectorName(
      DeleteVectorNameRequest req, StreamObserver<PointsOperationResponse> obs) {
    Rpc.refuse(obs, "Points/DeleteVectorName (named vectors)");
  }

  @Override
  public void searchGroups(SearchPointGroups req, StreamObserver<SearchGroupsResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .filter("filter", req.hasFilter(), req.getFilter())
              .atLeastOne("limit", true, req.getLimit())
              .notEmpty("group_by", req.getGroupBy())
              .atLeastOne("group_size", true, req.getGroupSize())
              .atLeastOne("timeout", req.hasTimeout(), req.getTimeout())
              .check();
          if (req.hasWithLookup()) {
            throw Errors.unsupported("with_lookup in groups");
          }
          Grouping grouping =
              groupingOf(
                  req.getGroupBy(), Integer.toUnsignedLong(req.getLimit()), req.getGroupSize());
          PayloadSelection sel =
              PayloadSelection.of(req.hasWithPayload(), req.getWithPayload(), false);
          boolean vectors = withVectors(req.hasWithVectors(), req.getWithVectors());
          filter(req.hasFilter(), req.getFilter());
          LocalCollection c = registry.get(req.getCollectionName());
          refuseIndexedTextMatches(c, req.hasFilter(), req.getFilter());
          List<PointGroup> groups =
              grouping.run(
                  (f, limit, keyOnly) -> {
                    SearchPoints.Builder b =
                        SearchPoints.newBuilder()
                            .setCollectionName(req.getCollectionName())
                            .addAllVector(req.getVectorList())
                            .setFilter(f)
                            .setLimit(limit)
                            .setWithPayload(keyOnly);
                    if (req.hasScoreThreshold()) {
                      b.setScoreThreshold(req.getScoreThreshold());
                    }
                    if (req.hasVectorName()) {
                      b.setVectorName(req.getVectorName());
                    }
                    if (req.hasSparseIndices()) {
                      b.setSparseIndices(req.getSparseIndices());
                    }
                    if (req.hasShardKeySelector()) {
                      b.setShardKeySelector(req.getShardKeySelector());
                    }
                    return c.search(searchSpec(c, b.build(), FilterEvaluator.compile(f)));
                  },
                  req.hasFilter() ? req.getFilter() : null,
                  c.metric.largerIsBetter);
          return SearchGroupsResponse.newBuilder()
              .setResult(
                  GroupsResult.newBuilder().addAllGroups(Grouping.hydrate(groups, c, sel, vectors)))
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  /** The group key is parsed as a payload key path, before the collection is looked up. */
  private static Grouping groupingOf(String groupBy, long groups, long groupSize) {
    return new Grouping(groupBy, groups, groupSize);
  }

  @Override
  public void recommend(RecommendPoints req, StreamObserver<RecommendResponse> obs) {
    Rpc.refuse(obs, "Points/Recommend");
  }

  @Override
  public void recommendBatch(RecommendBatchPoints req, StreamObserver<RecommendBatchResponse> obs) {
    Rpc.refuse(obs, "Points/RecommendBatch");
  }

  @Override
  public void recommendGroups(
      RecommendPointGroups req, StreamObserver<RecommendGroupsResponse> obs) {
    Rpc.refuse(obs, "Points/RecommendGroups");
  }

  @Override
  public void discover(DiscoverPoints req, StreamObserver<DiscoverResponse> obs) {
    Rpc.refuse(obs, "Points/Discover");
  }

  @Override
  public void discoverBatch(DiscoverBatchPoints req, StreamObserver<DiscoverBatchResponse> obs) {
    Rpc.refuse(obs, "Points/DiscoverBatch");
  }

  @Override
  public void updateBatch(UpdateBatchPoints req, StreamObserver<UpdateBatchResponse> obs) {
    Rpc.refuse(obs, "Points/UpdateBatch (send Upsert and Delete calls instead)");
  }

  @Override
  public void queryGroups(QueryPointGroups req, StreamObserver<QueryGroupsResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .filter("filter", req.hasFilter(), req.getFilter())
              .atLeastOne("limit", req.hasLimit(), req.getLimit())
              .atLeastOne("group_size", req.hasGroupSize(), req.getGroupSize())
              .notEmpty("group_by", req.getGroupBy())
              .atLeastOne("timeout", req.hasTimeout(), req.getTimeout())
              .check();
          if (req.hasWithLookup()) {
            throw Errors.unsupported("with_lookup in groups");
          }
          // collection_query.rs: DEFAULT_LIMIT 10 groups, DEFAULT_GROUP_SIZE 3.
          Grouping grouping =
              groupingOf(
                  req.getGroupBy(),
                  req.hasLimit() ? unsignedClamp(req.getLimit()) : DEFAULT_LIMIT,
                  req.hasGroupSize() ? unsignedClamp(req.getGroupSize()) : 3);
          PayloadSelection sel =
              PayloadSelection.of(req.hasWithPayload(), req.getWithPayload(), false);
          boolean vectors = withVectors(req.hasWithVectors(), req.getWithVectors());
          filter(req.hasFilter(), req.getFilter());
          LocalCollection c = registry.get(req.getCollectionName());
          refuseIndexedTextMatches(c, req.hasFilter(), req.getFilter());
          if (!req.hasQuery()) {
            // Without a query Qdrant's groups have no order to rank them by.
            throw Errors.unsupported("grouping a query without a query (points in id order)");
          }
          List<PointGroup> groups =
              grouping.run(
                  (f, limit, keyOnly) -> {
                    QueryPoints.Builder b =
                        QueryPoints.newBuilder()
                            .setCollectionName(req.getCollectionName())
                            .addAllPrefetch(req.getPrefetchList())
                            .setQuery(req.getQuery())
                            .setFilter(f)
                            .setLimit(limit)
                            .setWithPayload(keyOnly);
                    if (req.hasUsing()) {
                      b.setUsing(req.getUsing());
                    }
                    if (req.hasScoreThreshold()) {
                      b.setScoreThreshold(req.getScoreThreshold());
                    }
                    if (req.hasLookupFrom()) {
                      b.setLookupFrom(req.getLookupFrom());
                    }
                    if (req.hasShardKeySelector()) {
                      b.setShardKeySelector(req.getShardKeySelector());
                    }
                    return runQuery(c, b.build(), FilterEvaluator.compile(f));
                  },
                  req.hasFilter() ? req.getFilter() : null,
                  c.metric.largerIsBetter);
          return QueryGroupsResponse.newBuilder()
              .setResult(
                  GroupsResult.newBuilder().addAllGroups(Grouping.hydrate(groups, c, sel, vectors)))
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  @Override
  public void facet(FacetCounts req, StreamObserver<FacetResponse> obs) {
    Rpc.refuse(obs, "Points/Facet");
  }

  @Override
  public void searchMatrixPairs(
      SearchMatrixPoints req, StreamObserver<SearchMatrixPairsResponse> obs) {
    Rpc.refuse(obs, "Points/SearchMatrixPairs");
  }

  @Override
  public void searchMatrixOffsets(
      SearchMatrixPoints req, StreamObserver<SearchMatrixOffsetsResponse> obs) {
    Rpc.refuse(obs, "Points/SearchMatrixOffsets");
  }
}
