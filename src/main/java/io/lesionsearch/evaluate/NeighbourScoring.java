package io.lesionsearch.evaluate;

import io.lesionsearch.kafka.BoundedText;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Ranks every other lesion's images for each query by cosine similarity and scores the top k. The
 * query's own lesion is left out entirely: its other photographs are near-copies that would inflate
 * the figures. Ties are broken by image id, so the result does not depend on the input order.
 */
final class NeighbourScoring {

  private static final int PROGRESS_EVERY = 500;

  private final List<LabelledVector> points;

  /** Lesions and diagnoses as small integers: the inner loop compares them n^2 times. */
  private final int[] lesions;

  private final int[] classes;
  private final float[][] unit;

  NeighbourScoring(List<LabelledVector> points) {
    this.points = points;
    int n = points.size();
    this.lesions = new int[n];
    this.classes = new int[n];
    this.unit = new float[n][];
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Integer> lesionIds = new HashMap<>();
    Map<String, Integer> classIds = new HashMap<>();
    int dimension = n == 0 ? 0 : points.get(0).vector().length;
    for (int i = 0; i < n; i++) {
      LabelledVector p = points.get(i);
      if (seen.putIfAbsent(p.imageId(), i) != null) {
        throw new IllegalArgumentException(
            "image id " + BoundedText.of(p.imageId(), 100) + " occurs twice");
      }
      if (p.vector().length != dimension) {
        throw new IllegalArgumentException(
            "image "
                + BoundedText.of(p.imageId(), 100)
                + " has a "
                + p.vector().length
                + "-d vector, the first one a "
                + dimension
                + "-d one");
      }
      lesions[i] = lesionIds.computeIfAbsent(p.lesion(), l -> lesionIds.size());
      classes[i] = classIds.computeIfAbsent(p.dx(), d -> classIds.size());
      unit[i] = unitLength(p.vector());
    }
  }

  /** A zero vector stays zero: similar to nothing, so it ranks by id among the ties. */
  private static float[] unitLength(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    float[] u = new float[v.length];
    if (norm > 0) {
      double scale = 1 / Math.sqrt(norm);
      for (int i = 0; i < v.length; i++) {
        u[i] = (float) (v[i] * scale);
      }
    }
    return u;
  }

  /** Every query's scores, in input order; null for a query without a relevant candidate. */
  QueryScores[] scoreAll(List<Integer> ks, EvaluationSettings.Progress progress) {
    int n = points.size();
    QueryScores[] scores = new QueryScores[n];
    AtomicInteger done = new AtomicInteger();
    IntStream.range(0, n)
        .parallel()
        .forEach(
            q -> {
              scores[q] = score(q, ks);
              int d = done.incrementAndGet();
              if (d % PROGRESS_EVERY == 0 || d == n) {
                synchronized (progress) {
                  progress.advanced("queries", d, n);
                }
              }
            });
    return scores;
  }

  QueryScores score(int q, List<Integer> ks) {
    int maxK = ks.get(ks.size() - 1);
    float[] query = unit[q];
    // The worst of the best maxK at the head, to be replaced by a better candidate.
    PriorityQueue<Candidate> best = new PriorityQueue<>(maxK + 1, Candidate::worseFirst);
    int candidates = 0;
    int relevant = 0;
    for (int c = 0; c < unit.length; c++) {
      if (lesions[c] == lesions[q]) {
        continue;
      }
      candidates++;
      boolean same = classes[c] == classes[q];
      if (same) {
        relevant++;
      }
      float score = dot(query, unit[c]);
      if (best.size() < maxK) {
        best.add(new Candidate(score, points.get(c).imageId(), same));
      } else if (score >= best.peek().score) {
        Candidate candidate = new Candidate(score, points.get(c).imageId(), same);
        if (Candidate.worseFirst(best.peek(), candidate) < 0) {
          best.poll();
          best.add(candidate);
        }
      }
    }
    if (relevant == 0) {
      return null;
    }
    Candidate[] ranked = best.toArray(new Candidate[0]);
    Arrays.sort(ranked, (a, b) -> Candidate.worseFirst(b, a));
    double[] precision = new double[ks.size()];
    double[] averagePrecision = new double[ks.size()];
    int hits = 0;
    double sumPrecisionAtHits = 0;
    int next = 0;
    for (int rank = 1; rank <= maxK; rank++) {
      if (rank <= ranked.length && ranked[rank - 1].relevant) {
        hits++;
        sumPrecisionAtHits += (double) hits / rank;
      }
      if (rank == ks.get(next)) {
        precision[next] = (double) hits / rank;
        averagePrecision[next] = sumPrecisionAtHits / Math.min(rank, relevant);
        next++;
      }
    }
    return new QueryScores(q, relevant, candidates, precision, averagePrecision);
  }

  /** Four sums, so that the JIT can keep several multiply-adds in flight. */
  private static float dot(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < a.length; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < a.length; i++) {
      s0 += a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  private record Candidate(float score, String imageId, boolean relevant) {
    /** Negative when a ranks below b: a lower score, or the same score and a later id. */
    static int worseFirst(Candidate a, Candidate b) {
      int byScore = Float.compare(a.score, b.score);
      return byScore != 0 ? byScore : b.imageId.compareTo(a.imageId);
    }
  }
}
