package io.lesionsearch.qdrantlocal;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.ChangeAliases;
import io.qdrant.client.grpc.Collections.CollectionClusterInfoRequest;
import io.qdrant.client.grpc.Collections.CollectionClusterInfoResponse;
import io.qdrant.client.grpc.Collections.CollectionConfig;
import io.qdrant.client.grpc.Collections.CollectionDescription;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CollectionParams;
import io.qdrant.client.grpc.Collections.CollectionStatus;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.CreateShardKeyRequest;
import io.qdrant.client.grpc.Collections.CreateShardKeyResponse;
import io.qdrant.client.grpc.Collections.Datatype;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.DeleteShardKeyRequest;
import io.qdrant.client.grpc.Collections.DeleteShardKeyResponse;
import io.qdrant.client.grpc.Collections.GetCollectionInfoRequest;
import io.qdrant.client.grpc.Collections.GetCollectionInfoResponse;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.ListAliasesRequest;
import io.qdrant.client.grpc.Collections.ListAliasesResponse;
import io.qdrant.client.grpc.Collections.ListCollectionAliasesRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsRequest;
import io.qdrant.client.grpc.Collections.ListCollectionsResponse;
import io.qdrant.client.grpc.Collections.ListShardKeysRequest;
import io.qdrant.client.grpc.Collections.ListShardKeysResponse;
import io.qdrant.client.grpc.Collections.MaxOptimizationThreads;
import io.qdrant.client.grpc.Collections.OptimizerStatus;
import io.qdrant.client.grpc.Collections.OptimizersConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.ShardingMethod;
import io.qdrant.client.grpc.Collections.UpdateCollection;
import io.qdrant.client.grpc.Collections.UpdateCollectionClusterSetupRequest;
import io.qdrant.client.grpc.Collections.UpdateCollectionClusterSetupResponse;
import io.qdrant.client.grpc.Collections.UpdateQueueInfo;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Collections.WalConfigDiff;
import io.qdrant.client.grpc.CollectionsGrpc;
import java.util.Map;

/**
 * Collections RPCs: one unnamed dense vector per collection. Configuration that only affects how a
 * real server stores or indexes data (HNSW, WAL, optimizers, quantization, on-disk flags,
 * replication) is accepted and echoed back, since exact in-memory search gives the answer those
 * settings approximate; anything that changes what a query means is refused.
 */
final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {
  private static final int MAX_DIM = 65_536;

  private final CollectionRegistry registry;

  CollectionsService(CollectionRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void create(CreateCollection req, StreamObserver<CollectionOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          validate(req);
          if (req.getCollectionName().equals(".") || req.getCollectionName().equals("..")) {
            // Qdrant 1.18.3 takes them for directories and fails with INTERNAL; refused here.
            throw Errors.unsupported("the collection names \".\" and \"..\"");
          }
          VectorParams params = denseParams(req);
          if (req.hasSparseVectorsConfig() && req.getSparseVectorsConfig().getMapCount() > 0) {
            throw Errors.unsupported("sparse vectors");
          }
          if (req.hasShardingMethod() && req.getShardingMethod() == ShardingMethod.Custom) {
            throw Errors.unsupported("custom sharding");
          }
          if (req.hasShardNumber() && req.getShardNumber() > 1) {
            throw Errors.unsupported("more than one shard");
          }
          if (req.hasStrictModeConfig() && req.getStrictModeConfig().getEnabled()) {
            throw Errors.unsupported("strict mode");
          }
          VectorMetric metric = VectorMetric.of(params.getDistanceValue());
          Access.requireWrite();
          LocalCollection c =
              new LocalCollection(req.getCollectionName(), (int) params.getSize(), metric);
          registry.create(new CollectionRegistry.Entry(c, req));
          return CollectionOperationResponse.newBuilder()
              .setResult(true)
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  /** CreateCollection's validation rules (lib/api/build.rs), before anything else. */
  private static void validate(CreateCollection req) {
    Validation v = new Validation().newCollectionName("collection_name", req.getCollectionName());
    if (req.getVectorsConfig().getConfigCase() == VectorsConfig.ConfigCase.PARAMS) {
      v.range(
          "vectors_config.config.size", req.getVectorsConfig().getParams().getSize(), 1, MAX_DIM);
    }
    v.atLeastOne("shard_number", req.hasShardNumber(), req.getShardNumber())
        .atLeastOne("replication_factor", req.hasReplicationFactor(), req.getReplicationFactor())
        .atLeastOne(
            "write_consistency_factor",
            req.hasWriteConsistencyFactor(),
            req.getWriteConsistencyFactor())
        .check();
  }

  private static VectorParams denseParams(CreateCollection req) {
    if (!req.hasVectorsConfig()) {
      throw Errors.unsupported("collections without a dense vector");
    }
    VectorsConfig vc = req.getVectorsConfig();
    if (vc.getConfigCase() == VectorsConfig.ConfigCase.PARAMS_MAP) {
      throw Errors.unsupported("named vectors (vectors_config.params_map)");
    }
    if (vc.getConfigCase() != VectorsConfig.ConfigCase.PARAMS) {
      throw Errors.unsupported("collections without a dense vector");
    }
    VectorParams p = vc.getParams();
    if (p.hasMultivectorConfig()) {
      throw Errors.unsupported("multivectors");
    }
    if (p.hasDatatype()
        && p.getDatatype() != Datatype.Default
        && p.getDatatype() != Datatype.Float32) {
      throw Errors.unsupported(
          "the vector datatype " + p.getDatatype() + " (it changes stored values and scores)");
    }
    return p;
  }

  @Override
  public void delete(DeleteCollection req, StreamObserver<CollectionOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation()
              .collectionName("collection_name", req.getCollectionName())
              .atLeastOne("timeout", req.hasTimeout(), req.getTimeout())
              .check();
          Access.requireWrite();
          // Like Qdrant: deleting a missing collection is not an error, it answers result=false.
          boolean removed = registry.delete(req.getCollectionName());
          return CollectionOperationResponse.newBuilder()
              .setResult(removed)
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  @Override
  public void collectionExists(
      CollectionExistsRequest req, StreamObserver<CollectionExistsResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          new Validation().collectionName("collection_name", req.getCollectionName()).check();
          return CollectionExistsResponse.newBuilder()
              .setResult(
                  CollectionExists.newBuilder().setExists(registry.exists(req.getCollectionName())))
              .build();
        });
  }

  @Override
  public void list(ListCollectionsRequest req, StreamObserver<ListCollectionsResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          ListCollectionsResponse.Builder b = ListCollectionsResponse.newBuilder();
          for (String name : registry.names()) {
            b.addCollections(CollectionDescription.newBuilder().setName(name));
          }
          return b.build();
        });
  }

  @Override
  public void get(GetCollectionInfoRequest req, StreamObserver<GetCollectionInfoResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation().collectionName("collection_name", req.getCollectionName()).check();
          CollectionRegistry.Entry e = registry.entry(req.getCollectionName());
          return GetCollectionInfoResponse.newBuilder()
              .setResult(info(e))
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  private static CollectionInfo info(CollectionRegistry.Entry e) {
    CreateCollection r = e.request;
    LocalCollection c = e.collection;
    int points = c.pointsCount();
    CollectionParams.Builder params =
        CollectionParams.newBuilder()
            .setShardNumber(1)
            .setOnDiskPayload(r.hasOnDiskPayload() ? r.getOnDiskPayload() : true)
            .setVectorsConfig(r.getVectorsConfig())
            .setReplicationFactor(r.hasReplicationFactor() ? r.getReplicationFactor() : 1)
            .setWriteConsistencyFactor(
                r.hasWriteConsistencyFactor() ? r.getWriteConsistencyFactor() : 1);
    // Qdrant leaves sharding_method unset unless the collection was created with one.
    if (r.hasShardingMethod()) {
      params.setShardingMethod(r.getShardingMethod());
    }
    // Qdrant's defaults, so code that reads them sees plausible values.
    HnswConfigDiff hnsw =
        HnswConfigDiff.newBuilder()
            .setM(16)
            .setEfConstruct(100)
            .setFullScanThreshold(10_000)
            .setMaxIndexingThreads(0)
            .setOnDisk(false)
            .mergeFrom(r.getHnswConfig())
            .build();
    OptimizersConfigDiff.Builder optimizerDefaults =
        OptimizersConfigDiff.newBuilder()
            .setDeletedThreshold(0.2)
            .setVacuumMinVectorNumber(1000)
            .setDefaultSegmentNumber(0)
            .setIndexingThreshold(10_000)
            .setFlushIntervalSec(5)
            .setMaxOptimizationThreads(
                MaxOptimizationThreads.newBuilder().setSetting(MaxOptimizationThreads.Setting.Auto))
            .mergeFrom(r.getOptimizersConfig());
    OptimizersConfigDiff optimizers = optimizerDefaults.build();
    // Qdrant reports default_segment_number as configured (0: automatic), and a new collection has
    // as many (empty) segments as the number resolves to (0: its CPU-based default).
    long segments =
        optimizers.getDefaultSegmentNumber() == 0
            ? defaultSegmentNumber()
            : optimizers.getDefaultSegmentNumber();
    WalConfigDiff wal =
        WalConfigDiff.newBuilder()
            .setWalCapacityMb(32)
            .setWalSegmentsAhead(0)
            .setWalRetainClosed(1)
            .mergeFrom(r.getWalConfig())
            .build();
    CollectionConfig.Builder config =
        CollectionConfig.newBuilder()
            .setParams(params)
            .setHnswConfig(hnsw)
            .setOptimizerConfig(optimizers)
            .setWalConfig(wal)
            .putAllMetadata(r.getMetadataMap());
    if (r.hasQuantizationConfig()) {
      config.setQuantizationConfig(r.getQuantizationConfig());
    }
    CollectionInfo.Builder info =
        CollectionInfo.newBuilder()
            .setStatus(CollectionStatus.Green)
            .setOptimizerStatus(OptimizerStatus.newBuilder().setOk(true))
            .setSegmentsCount(segments)
            .setConfig(config)
            .setPointsCount(points)
            .setIndexedVectorsCount(0)
            .setUpdateQueue(UpdateQueueInfo.newBuilder().setLength(0));
    for (Map.Entry<String, PayloadSchemaInfo> s : c.payloadSchema().entrySet()) {
      info.putPayloadSchema(s.getKey(), s.getValue());
    }
    return info.build();
  }

  /**
   * lib/shard/src/optimizers/config.rs default_segment_number: one segment per two CPUs, at least 2
   * and at most 8.
   */
  static long defaultSegmentNumber() {
    return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
  }

  @Override
  public void listAliases(ListAliasesRequest req, StreamObserver<ListAliasesResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          return ListAliasesResponse.newBuilder()
              .addAllAliases(registry.aliases())
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  @Override
  public void listCollectionAliases(
      ListCollectionAliasesRequest req, StreamObserver<ListAliasesResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          // Qdrant answers an empty list for a missing collection too, not NOT_FOUND.
          new Validation().collectionName("collection_name", req.getCollectionName()).check();
          return ListAliasesResponse.newBuilder()
              .addAllAliases(registry.aliasesOf(req.getCollectionName()))
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  @Override
  public void update(UpdateCollection req, StreamObserver<CollectionOperationResponse> obs) {
    Rpc.refuse(obs, "Collections/Update (collection parameters cannot be changed)");
  }

  @Override
  public void updateAliases(ChangeAliases req, StreamObserver<CollectionOperationResponse> obs) {
    Rpc.answer(
        obs,
        () -> {
          long t0 = System.nanoTime();
          new Validation().atLeastOne("timeout", req.hasTimeout(), req.getTimeout()).check();
          for (AliasOperations a : req.getActionsList()) {
            if (a.getActionCase() == AliasOperations.ActionCase.ACTION_NOT_SET) {
              // Qdrant converts the whole batch before applying any of it.
              throw Errors.invalidArgument("Malformed AliasOperation type");
            }
          }
          Access.requireWrite();
          registry.updateAliases(req.getActionsList());
          return CollectionOperationResponse.newBuilder()
              .setResult(true)
              .setTime(Rpc.secondsSince(t0))
              .build();
        });
  }

  @Override
  public void collectionClusterInfo(
      CollectionClusterInfoRequest req, StreamObserver<CollectionClusterInfoResponse> obs) {
    Rpc.refuse(obs, "Collections/CollectionClusterInfo (cluster mode)");
  }

  @Override
  public void updateCollectionClusterSetup(
      UpdateCollectionClusterSetupRequest req,
      StreamObserver<UpdateCollectionClusterSetupResponse> obs) {
    Rpc.refuse(obs, "Collections/UpdateCollectionClusterSetup (cluster mode)");
  }

  @Override
  public void createShardKey(
      CreateShardKeyRequest req, StreamObserver<CreateShardKeyResponse> obs) {
    Rpc.refuse(obs, "Collections/CreateShardKey (sharding)");
  }

  @Override
  public void deleteShardKey(
      DeleteShardKeyRequest req, StreamObserver<DeleteShardKeyResponse> obs) {
    Rpc.refuse(obs, "Collections/DeleteShardKey (sharding)");
  }

  @Override
  public void listShardKeys(ListShardKeysRequest req, StreamObserver<ListShardKeysResponse> obs) {
    Rpc.refuse(obs, "Collections/ListShardKeys (sharding)");
  }
}
