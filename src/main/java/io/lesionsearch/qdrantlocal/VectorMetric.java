package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Collections.Distance;

/**
 * Qdrant's four distances (lib/segment/src/spaces/simple.rs). Scores are what Qdrant returns after
 * post-processing: cosine and dot are similarities (larger is better), Euclid is the L2 distance
 * and Manhattan the L1 distance (smaller is better).
 */
enum VectorMetric {
  COSINE(Distance.Cosine, true),
  DOT(Distance.Dot, true),
  EUCLID(Distance.Euclid, false),
  MANHATTAN(Distance.Manhattan, false);

  /** f32::EPSILON in Rust. */
  private static final float F32_EPSILON = Math.ulp(1.0f);

  final Distance wire;
  final boolean largerIsBetter;

  VectorMetric(Distance wire, boolean largerIsBetter) {
    this.wire = wire;
    this.largerIsBetter = largerIsBetter;
  }

  /** The metric of a gRPC distance, refused as Qdrant's conversions.rs refuses it. */
  static VectorMetric of(int distance) {
    Distance d = Distance.forNumber(distance);
    if (d == null) {
      throw Errors.invalidArgument("Malformed distance parameter, unexpected value: " + distance);
    }
    return of(d);
  }

  static VectorMetric of(Distance d) {
    switch (d) {
      case Cosine:
        return COSINE;
      case Dot:
        return DOT;
      case Euclid:
        return EUCLID;
      case Manhattan:
        return MANHATTAN;
      default:
        throw Errors.invalidArgument("Malformed distance parameter: " + d);
    }
  }

  /**
   * Cosine stores unit vectors so that search is a dot product; a vector already within 1e-6 of
   * unit length, or of (near) zero length, is kept as is (spaces/tools.rs
   * is_length_zero_or_normalized).
   */
  void preprocessInPlace(float[] v) {
    if (this != COSINE) {
      return;
    }
    float length = 0f;
    for (float x : v) {
      length += x * x;
    }
    if (length < F32_EPSILON || Math.abs(length - 1.0f) <= 1.0e-6f) {
      return;
    }
    float norm = (float) Math.sqrt(length);
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] / norm;
    }
  }

  /** The score Qdrant would return for query {@code q} against the vector at {@code data[off]}. */
  float score(float[] q, float[] data, int off) {
    switch (this) {
      case COSINE:
      case DOT:
        return dot(q, data, off);
      case EUCLID:
        return (float) Math.sqrt(squaredL2(q, data, off));
      default:
        return l1(q, data, off);
    }
  }

  /** Strict, as Qdrant's check_threshold: a score equal to the threshold is dropped. */
  boolean passes(float score, float threshold) {
    return largerIsBetter ? score > threshold : score < threshold;
  }

  /** Maps a score onto a key where larger is always better, for one shared top-k heap. */
  float rankKey(float score) {
    return largerIsBetter ? score : -score;
  }

  // Eight independent accumulators let the JIT keep several multiply-adds in flight; a single
  // accumulator serialises on the add latency and runs several times slower on 384 dims.
  static float dot(float[] q, float[] d, int off) {
    int n = q.length;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      s0 += q[i] * d[off + i];
      s1 += q[i + 1] * d[off + i + 1];
      s2 += q[i + 2] * d[off + i + 2];
      s3 += q[i + 3] * d[off + i + 3];
      s4 += q[i + 4] * d[off + i + 4];
      s5 += q[i + 5] * d[off + i + 5];
      s6 += q[i + 6] * d[off + i + 6];
      s7 += q[i + 7] * d[off + i + 7];
    }
    for (; i < n; i++) {
      s0 += q[i] * d[off + i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  static float squaredL2(float[] q, float[] d, int off) {
    int n = q.length;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      float a = q[i] - d[off + i];
      float b = q[i + 1] - d[off + i + 1];
      float c = q[i + 2] - d[off + i + 2];
      float e = q[i + 3] - d[off + i + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += e * e;
    }
    for (; i < n; i++) {
      float a = q[i] - d[off + i];
      s0 += a * a;
    }
    return (s0 + s1) + (s2 + s3);
  }

  static float l1(float[] q, float[] d, int off) {
    int n = q.length;
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += Math.abs(q[i] - d[off + i]);
      s1 += Math.abs(q[i + 1] - d[off + i + 1]);
      s2 += Math.abs(q[i + 2] - d[off + i + 2]);
      s3 += Math.abs(q[i + 3] - d[off + i + 3]);
    }
    for (; i < n; i++) {
      s0 += Math.abs(q[i] - d[off + i]);
    }
    return (s0 + s1) + (s2 + s3);
  }
}
