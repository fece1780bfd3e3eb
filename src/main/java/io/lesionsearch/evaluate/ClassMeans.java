package io.lesionsearch.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-lesion sums of the query scores, so that the figures of any weighting of the lesions (1 each
 * for the estimate, a bootstrap draw's multiplicities for a resample) cost one pass over the
 * lesions rather than over the queries.
 */
final class ClassMeans {

  /** Slots of one (lesion, class) sum: count, chance, then precision and AP for each k. */
  private final int width;

  private final int ks;
  private final int classes;
  private final int[][] classesOfLesion;
  private final double[][][] sums;

  ClassMeans(List<QueryScores> scores, int[] lesionOf, int[] classOf, int lesions, int classes) {
    this.ks = scores.get(0).precision().length;
    this.classes = classes;
    this.width = 2 + 2 * ks;
    this.sums = new double[lesions][][];
    List<List<Integer>> present = new ArrayList<>();
    for (int l = 0; l < lesions; l++) {
      present.add(new ArrayList<>());
    }
    for (QueryScores s : scores) {
      int l = lesionOf[s.query()];
      int c = classOf[s.query()];
      if (sums[l] == null) {
        sums[l] = new double[classes][];
      }
      if (sums[l][c] == null) {
        sums[l][c] = new double[width];
        present.get(l).add(c);
      }
      double[] slot = sums[l][c];
      slot[0]++;
      slot[1] += s.chance();
      for (int k = 0; k < ks; k++) {
        slot[2 + k] += s.precision()[k];
        slot[2 + ks + k] += s.averagePrecision()[k];
      }
    }
    this.classesOfLesion = new int[lesions][];
    for (int l = 0; l < lesions; l++) {
      classesOfLesion[l] = present.get(l).stream().mapToInt(Integer::intValue).toArray();
    }
  }

  int lesions() {
    return sums.length;
  }

  /**
   * Means with each lesion counted {@code weight[l]} times: rows 0..classes-1 are the classes, then
   * micro, then macro; columns are chance, precision by k, AP by k. A class no weighted lesion has
   * is NaN, and the macro mean is over the classes present.
   */
  double[][] means(int[] weight) {
    double[][] total = new double[classes][width];
    for (int l = 0; l < sums.length; l++) {
      if (weight[l] == 0) {
        continue;
      }
      for (int c : classesOfLesion[l]) {
        double[] slot = sums[l][c];
        for (int j = 0; j < width; j++) {
          total[c][j] += weight[l] * slot[j];
        }
      }
    }
    int columns = width - 1;
    double[][] means = new double[classes + 2][columns];
    double[] micro = new double[width];
    double[] macro = new double[columns];
    int present = 0;
    for (int c = 0; c < classes; c++) {
      double count = total[c][0];
      for (int j = 0; j < width; j++) {
        micro[j] += total[c][j];
      }
      if (count == 0) {
        Arrays.fill(means[c], Double.NaN);
        continue;
      }
      present++;
      for (int j = 1; j < width; j++) {
        means[c][j - 1] = total[c][j] / count;
        macro[j - 1] += means[c][j - 1];
      }
    }
    for (int j = 1; j < width; j++) {
      means[classes][j - 1] = micro[j] / micro[0];
      means[classes + 1][j - 1] = macro[j - 1] / present;
    }
    return means;
  }

  /** Lesions and queries per row (classes, micro, macro), unweighted. */
  int[][] counts() {
    int[][] counts = new int[classes + 2][2];
    for (int l = 0; l < sums.length; l++) {
      for (int c : classesOfLesion[l]) {
        int q = (int) sums[l][c][0];
        counts[c][0] += q;
        counts[c][1]++;
        counts[classes][0] += q;
      }
      if (classesOfLesion[l].length > 0) {
        counts[classes][1]++;
      }
    }
    counts[classes + 1] = counts[classes].clone();
    return counts;
  }
}
