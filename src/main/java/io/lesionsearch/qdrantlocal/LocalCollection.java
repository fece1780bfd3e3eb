package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaInfo;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.VectorsOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One collection's points in memory: vectors in fixed-size float[] chunks (one allocation per 1,024
 * points, so growth never copies the store and the overhead stays under one chunk), a slot per
 * point with a free list for reuse after deletes, and an id-ordered index for scroll.
 *
 * <p>A read-write lock per collection keeps it simple: upserts and deletes are exclusive, reads
 * share. A write that returned has been applied, so a point upserted with wait=true is visible to
 * the next search.
 *
 * <p>Every write takes the collection's next operation id, as a Qdrant shard numbers its WAL
 * entries (the first write is 1; creating or dropping a payload index takes two, the schema change
 * and the index build), and a point's version is the id of the write that last stored it, which
 * nearest-neighbour answers carry in ScoredPoint.version.
 */
final class LocalCollection {
  private static final int CHUNK_SHIFT = 10;
  private static final int CHUNK = 1 << CHUNK_SHIFT;

  final String name;
  final int dim;
  final VectorMetric metric;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private float[][] chunks = new float[0][];
  private PointKey[] keys = new PointKey[0];
  private Object[] payloads = new Object[0]; // Map<String, Value> per slot
  private long[] versions = new long[0];
  private long lastOperation;
  private int highWater;
  private int[] freeSlots = new int[16];
  private int freeCount;
  private final TreeMap<PointKey, Integer> slotById = new TreeMap<>();
  private final Map<String, PayloadSchemaInfo> payloadSchema = new LinkedHashMap<>();
  private final ConcurrentHashMap<String, PayloadColumn> columns = new ConcurrentHashMap<>();

  /** This collection's points as filters see them during one scan (read lock held). */
  private final PointPredicate.PointSource source =
      new PointPredicate.PointSource() {
        @Override
        public PointKey id(int slot) {
          return keys[slot];
        }

        @Override
        public Map<String, Value> payload(int slot) {
          return payloadAt(slot);
        }

        @Override
        public KeywordColumn keywordColumn(String key) {
          return (KeywordColumn)
              columns.computeIfAbsent(
                  "keyword " + key, k -> filled(new KeywordColumn(key, keys.length)));
        }

        @Override
        public NumberColumn numberColumn(String key) {
          return (NumberColumn)
              columns.computeIfAbsent(
                  "number " + key, k -> filled(new NumberColumn(key, keys.length)));
        }
      };

  private PayloadColumn filled(PayloadColumn c) {
    for (int slot = 0; slot < highWater; slot++) {
      c.set(slot, payloadAt(slot));
    }
    return c;
  }

  /** A point as it is written: vector already checked for size, payload normalised. */
  static final class PointRecord {
    final PointKey id;
    final float[] vector;
    final Map<String, Value> payload;

    PointRecord(PointKey id, float[] vector, Map<String, Value> payload) {
      this.id = id;
      this.vector = vector;
      this.payload = payload;
    }
  }

  enum WriteMode {
    UPSERT,
    INSERT_ONLY,
    UPDATE_ONLY
  }

  /** A nearest-neighbour request, already validated. */
  static final class SearchSpec {
    float[] query; // preprocessed for the metric
    PointPredicate filter = PointPredicate.ALWAYS;
    int limit;
    long offset;
    Float threshold;
    PayloadSelection payload = PayloadSelection.NONE;
    boolean withVectors;
    PointKey exclude; // the example point of a query by id
  }

  LocalCollection(String name, int dim, VectorMetric metric) {
    this.name = name;
    this.dim = dim;
    this.metric = metric;
  }

  // ---------------------------------------------------------------- writes

  /** The id of the next write, under the write lock; {@code ops} ids are taken. */
  private long nextOperation(int ops) {
    lastOperation += ops;
    return lastOperation;
  }

  /** Writes the points; returns the operation id. */
  long upsert(List<PointRecord> points, WriteMode mode) {
    lock.writeLock().lock();
    try {
      long op = nextOperation(1);
      for (PointRecord p : points) {
        Integer slot = slotById.get(p.id);
        if (slot == null) {
          if (mode == WriteMode.UPDATE_ONLY) {
            continue;
          }
          slot = allocateSlot();
          slotById.put(p.id, slot);
          keys[slot] = p.id;
        } else if (mode == WriteMode.INSERT_ONLY) {
          continue;
        }
        // Replacing a point replaces the whole point, vector and payload, as Qdrant's upsert.
        System.arraycopy(
            p.vector, 0, chunks[slot >>> CHUNK_SHIFT], (slot & (CHUNK - 1)) * dim, dim);
        payloads[slot] = p.payload;
        versions[slot] = op;
        for (PayloadColumn c : columns.values()) {
          c.set(slot, p.payload);
        }
      }
      return op;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private int allocateSlot() {
    if (freeCount > 0) {
      return freeSlots[--freeCount];
    }
    int slot = highWater++;
    if (slot >= keys.length) {
      int cap = Math.max(CHUNK, keys.length + (keys.length >> 1));
      keys = Arrays.copyOf(keys, cap);
      payloads = Arrays.copyOf(payloads, cap);
      versions = Arrays.copyOf(versions, cap);
      for (PayloadColumn c : columns.values()) {
        c.ensureCapacity(cap);
      }
    }
    int chunk = slot >>> CHUNK_SHIFT;
    if (chunk >= chunks.length) {
      chunks = Arrays.copyOf(chunks, Math.max(4, chunks.length * 2));
    }
    if (chunks[chunk] == null) {
      chunks[chunk] = new float[CHUNK * dim];
    }
    return slot;
  }

  /** Deletes these points (missing ids are no error); returns the operation id. */
  long delete(Collection<PointKey> ids) {
    lock.writeLock().lock();
    try {
      long op = nextOperation(1);
      for (PointKey id : ids) {
        Integer slot = slotById.remove(id);
        if (slot != null) {
          release(slot);
        }
      }
      return op;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Deletes the points the filter matches; returns the operation id. */
  long deleteWhere(PointPredicate filter) {
    lock.writeLock().lock();
    try {
      long op = nextOperation(1);
      List<PointKey> doomed = new ArrayList<>();
      PointPredicate.SlotTest test = filter.bind(source);
      for (int slot = 0; slot < highWater; slot++) {
        PointKey id = keys[slot];
        if (id != null && test.test(slot)) {
          doomed.add(id);
        }
      }
      for (PointKey id : doomed) {
        release(slotById.remove(id));
      }
      return op;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void release(int slot) {
    keys[slot] = null;
    payloads[slot] = null;
    for (PayloadColumn c : columns.values()) {
      c.set(slot, null);
    }
    if (freeCount == freeSlots.length) {
      freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
    }
    freeSlots[freeCount++] = slot;
  }

  /** Records a payload index; returns the operation id (the second of the two it takes). */
  long recordIndex(String field, PayloadSchemaType type, PayloadIndexParams params) {
    lock.writeLock().lock();
    try {
      long op = nextOperation(2);
      PayloadSchemaInfo.Builder info = PayloadSchemaInfo.newBuilder().setDataType(type);
      if (params != null) {
        info.setParams(params);
      }
      payloadSchema.put(field, info.build());
      return op;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Drops a payload index (a missing one is no error); returns the operation id. */
  long dropIndex(String field) {
    lock.writeLock().lock();
    try {
      long op = nextOperation(2);
      payloadSchema.remove(field);
      return op;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---------------------------------------------------------------- reads

  int pointsCount() {
    lock.readLock().lock();
    try {
      return slotById.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether the key has a payload index of this type. */
  boolean hasIndex(String key, PayloadSchemaType type) {
    lock.readLock().lock();
    try {
      PayloadSchemaInfo info = payloadSchema.get(key);
      return info != null && info.getDataType() == type;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The payload indexes, each with the number of points it holds, as Qdrant reports them. */
  Map<String, PayloadSchemaInfo> payloadSchema() {
    lock.readLock().lock();
    try {
      Map<String, PayloadSchemaInfo> out = new LinkedHashMap<>();
      if (payloadSchema.isEmpty()) {
        return out;
      }
      List<Map<String, Value>> live = new ArrayList<>(slotById.size());
      for (int slot : slotById.values()) {
        live.add(payloadAt(slot));
      }
      for (Map.Entry<String, PayloadSchemaInfo> e : payloadSchema.entrySet()) {
        out.put(
            e.getKey(),
            e.getValue().toBuilder()
                .setPoints(IndexedValues.count(e.getKey(), e.getValue().getDataType(), live))
                .build());
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Value> payloadAt(int slot) {
    return (Map<String, Value>) payloads[slot];
  }

  /** The stored (for cosine: normalised) vector of a point, or null when it does not exist. */
  float[] vectorOf(PointKey id) {
    lock.readLock().lock();
    try {
      Integer slot = slotById.get(id);
      return slot == null ? null : copyVector(slot);
    } finally {
      lock.readLock().unlock();
    }
  }

  private float[] copyVector(int slot) {
    int off = (slot & (CHUNK - 1)) * dim;
    return Arrays.copyOfRange(chunks[slot >>> CHUNK_SHIFT], off, off + dim);
  }

  private VectorsOutput vectorsOutput(int slot) {
    float[] chunk = chunks[slot >>> CHUNK_SHIFT];
    int off = (slot & (CHUNK - 1)) * dim;
    DenseVector.Builder dense = DenseVector.newBuilder();
    for (int i = 0; i < dim; i++) {
      dense.addData(chunk[off + i]);
    }
    return VectorsOutput.newBuilder().setVector(VectorOutput.newBuilder().setDense(dense)).build();
  }

  /** Points in request order, missing ids skipped, duplicates returned once. */
  List<RetrievedPoint> get(List<PointKey> ids, PayloadSelection sel, boolean withVectors) {
    lock.readLock().lock();
    try {
      List<RetrievedPoint> out = new ArrayList<>(ids.size());
      for (PointKey id : new LinkedHashSet<>(ids)) {
        Integer slot = slotById.get(id);
        if (slot != null) {
          out.add(retrieved(slot, sel, withVectors));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  private RetrievedPoint retrieved(int slot, PayloadSelection sel, boolean withVectors) {
    RetrievedPoint.Builder b = RetrievedPoint.newBuilder().setId(keys[slot].toProto());
    if (!sel.isNone()) {
      b.putAllPayload(sel.apply(payloadAt(slot)));
    }
    if (withVectors) {
      b.setVectors(vectorsOutput(slot));
    }
    return b.build();
  }

  long count(PointPredicate filter) {
    lock.readLock().lock();
    try {
      if (filter == PointPredicate.ALWAYS) {
        return slotById.size();
      }
      long n = 0;
      PointPredicate.SlotTest test = filter.bind(source);
      for (int slot = 0; slot < highWater; slot++) {
        PointKey id = keys[slot];
        if (id != null && test.test(slot)) {
          n++;
        }
      }
      return n;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A page of points in id order, and the id the next page starts at (null at the end). */
  static final class Page {
    final List<RetrievedPoint> points;
    final PointKey nextOffset;

    Page(List<RetrievedPoint> points, PointKey nextOffset) {
      this.points = points;
      this.nextOffset = nextOffset;
    }
  }

  Page scroll(
      PointKey from, int limit, PointPredicate filter, PayloadSelection sel, boolean withVectors) {
    lock.readLock().lock();
    try {
      List<RetrievedPoint> out = new ArrayList<>(Math.min(limit, 1024));
      Map<PointKey, Integer> range = from == null ? slotById : slotById.tailMap(from, true);
      PointPredicate.SlotTest test = filter.bind(source);
      for (Map.Entry<PointKey, Integer> e : range.entrySet()) {
        int slot = e.getValue();
        if (!test.test(slot)) {
          continue;
        }
        if (out.size() == limit) {
          return new Page(out, e.getKey());
        }
        out.add(retrieved(slot, sel, withVectors));
      }
      return new Page(out, null);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Points in id order: a Query without a query, as Qdrant answers it - each with score 1.0 and no
   * version (the points come from a scroll, which carries neither).
   */
  List<ScoredPoint> byId(
      PointPredicate filter, int limit, long offset, PayloadSelection sel, boolean withVectors) {
    lock.readLock().lock();
    try {
      List<ScoredPoint> out = new ArrayList<>();
      if (offset < 0) {
        return out; // an unsigned offset past every point
      }
      long skipped = 0;
      PointPredicate.SlotTest test = filter.bind(source);
      for (Map.Entry<PointKey, Integer> e : slotById.entrySet()) {
        int slot = e.getValue();
        if (!test.test(slot)) {
          continue;
        }
        if (skipped < offset) {
          skipped++;
          continue;
        }
        out.add(scored(slot, 1f, 0L, sel, withVectors));
        if (out.size() == limit) {
          break;
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Exact nearest neighbours. The filter runs before scoring, so a selective filter also saves the
   * vector reads. The threshold is applied before the offset is skipped, as in Qdrant's local shard
   * search.
   */
  List<ScoredPoint> search(SearchSpec spec) {
    lock.readLock().lock();
    try {
      if (spec.offset < 0 || spec.offset >= slotById.size()) {
        return new ArrayList<>(); // an unsigned offset past every point
      }
      int k = (int) Math.min(spec.offset + spec.limit, slotById.size());
      TopK top = new TopK(k);
      float[] q = spec.query;
      boolean hasThreshold = spec.threshold != null;
      float threshold = hasThreshold ? spec.threshold : 0f;
      boolean filtered = spec.filter != PointPredicate.ALWAYS;
      PointPredicate.SlotTest test = spec.filter.bind(source);
      for (int slot = 0; slot < highWater; slot++) {
        PointKey id = keys[slot];
        if (id == null) {
          continue;
        }
        if (filtered && !test.test(slot)) {
          continue;
        }
        if (spec.exclude != null && spec.exclude.equals(id)) {
          continue;
        }
        float score = metric.score(q, chunks[slot >>> CHUNK_SHIFT], (slot & (CHUNK - 1)) * dim);
        if (hasThreshold && !metric.passes(score, threshold)) {
          continue;
        }
        top.offer(metric.rankKey(score), score, slot);
      }
      int[] order = top.sortedSlots();
      float[] scores = top.sortedScores();
      List<ScoredPoint> out = new ArrayList<>(order.length);
      for (int i = (int) Math.min(spec.offset, order.length); i < order.length; i++) {
        out.add(scored(order[i], scores[i], versions[order[i]], spec.payload, spec.withVectors));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  private ScoredPoint scored(
      int slot, float score, long version, PayloadSelection sel, boolean withVectors) {
    ScoredPoint.Builder b =
        ScoredPoint.newBuilder().setId(keys[slot].toProto()).setScore(score).setVersion(version);
    if (!sel.isNone()) {
      b.putAllPayload(sel.apply(payloadAt(slot)));
    }
    if (withVectors) {
      b.setVectors(vectorsOutput(slot));
    }
    return b.build();
  }

  /** Raw vector bytes plus an estimate of payload bytes, for the benchmark's memory report. */
  long[] storageEstimate() {
    lock.readLock().lock();
    try {
      long payloadBytes = 0;
      for (int slot = 0; slot < highWater; slot++) {
        if (keys[slot] != null) {
          payloadBytes += PayloadValues.estimateBytes(payloadAt(slot));
        }
      }
      return new long[] {(long) slotById.size() * dim * Float.BYTES, payloadBytes};
    } finally {
      lock.readLock().unlock();
    }
  }
}
