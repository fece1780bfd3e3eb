package io.lesionsearch.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How well nearest neighbours share a diagnosis: for every image as the query, the k most similar
 * images (cosine) among those of OTHER lesions, scored by precision@k and AP@k = sum over ranks i
 * &le; k of rel_i * P@i / min(k, R), R being the query's relevant candidates (same diagnosis, other
 * lesion). A query with R = 0 is not counted. Intervals come from a lesion-level bootstrap: the
 * queries' lesions are drawn with replacement (the gallery stays whole), the 2.5th and 97.5th
 * percentiles of the resampled means bound the 95% interval.
 */
public final class RetrievalEvaluation {

  private static final int PROGRESS_EVERY = 100;

  private RetrievalEvaluation() {}

  public static EvaluationReport run(List<LabelledVector> points, EvaluationSettings settings) {
    QueryScores[] all = new NeighbourScoring(points).scoreAll(settings.ks(), settings.progress());

    List<QueryScores> counted = new ArrayList<>();
    Map<String, Integer> notCounted = new TreeMap<>();
    TreeSet<String> classNames = new TreeSet<>();
    for (int q = 0; q < all.length; q++) {
      if (all[q] == null) {
        notCounted.merge(points.get(q).dx(), 1, Integer::sum);
      } else {
        counted.add(all[q]);
        classNames.add(points.get(q).dx());
      }
    }
    if (counted.isEmpty()) {
      throw new IllegalArgumentException(
          "nothing to evaluate: no image of the "
              + points.size()
              + " has an image of another lesion with the same diagnosis");
    }
    List<String> classes = List.copyOf(classNames);
    Map<String, Integer> classIndex = new HashMap<>();
    classes.forEach(c -> classIndex.put(c, classIndex.size()));
    Map<String, Integer> lesionIndex = new LinkedHashMap<>();
    int[] lesionOf = new int[points.size()];
    int[] classOf = new int[points.size()];
    for (QueryScores s : counted) {
      LabelledVector p = points.get(s.query());
      lesionOf[s.query()] = lesionIndex.computeIfAbsent(p.lesion(), l -> lesionIndex.size());
      classOf[s.query()] = classIndex.get(p.dx());
    }
    ClassMeans means =
        new ClassMeans(counted, lesionOf, classOf, lesionIndex.size(), classes.size());

    int[] once = new int[means.lesions()];
    Arrays.fill(once, 1);
    double[][] estimate = means.means(once);
    double[][][] resampled = bootstrap(means, settings);

    int rows = classes.size() + 2;
    int[][] counts = means.counts();
    Figures[] figures = new Figures[rows];
    for (int r = 0; r < rows; r++) {
      figures[r] = figures(estimate[r], resampled, r, counts[r], settings.ks());
    }
    TreeMap<String, Figures> perClass = new TreeMap<>();
    for (int c = 0; c < classes.size(); c++) {
      perClass.put(classes.get(c), figures[c]);
    }
    return new EvaluationReport(
        settings.ks(),
        points.size(),
        notCounted,
        perClass,
        figures[rows - 2],
        figures[rows - 1],
        settings.resamples(),
        settings.seed());
  }

  /** resampled[b] = the means of draw b, as {@link ClassMeans#means} lays them out. */
  private static double[][][] bootstrap(ClassMeans means, EvaluationSettings settings) {
    int n = means.lesions();
    SplittableRandom random = new SplittableRandom(settings.seed());
    double[][][] resampled = new double[settings.resamples()][][];
    int[] weight = new int[n];
    for (int b = 0; b < settings.resamples(); b++) {
      Arrays.fill(weight, 0);
      for (int i = 0; i < n; i++) {
        weight[random.nextInt(n)]++;
      }
      resampled[b] = means.means(weight);
      if ((b + 1) % PROGRESS_EVERY == 0 || b + 1 == settings.resamples()) {
        settings.progress().advanced("resamples", b + 1, settings.resamples());
      }
    }
    return resampled;
  }

  private static Figures figures(
      double[] estimate, double[][][] resampled, int row, int[] counts, List<Integer> ks) {
    Map<Integer, Interval> precision = new LinkedHashMap<>();
    Map<Integer, Interval> averagePrecision = new LinkedHashMap<>();
    int nk = ks.size();
    for (int k = 0; k < nk; k++) {
      precision.put(ks.get(k), interval(estimate, resampled, row, 1 + k));
      averagePrecision.put(ks.get(k), interval(estimate, resampled, row, 1 + nk + k));
    }
    return new Figures(counts[0], counts[1], estimate[0], precision, averagePrecision);
  }

  private static Interval interval(double[] estimate, double[][][] resampled, int row, int column) {
    double[] values =
        Arrays.stream(resampled)
            .mapToDouble(m -> m[row][column])
            .filter(v -> !Double.isNaN(v))
            .sorted()
            .toArray();
    if (values.length == 0) {
      return Interval.withoutBounds(estimate[column]);
    }
    return new Interval(estimate[column], percentile(values, 0.025), percentile(values, 0.975));
  }

  /** Linear interpolation between the closest ranks (R's default, type 7). */
  static double percentile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
