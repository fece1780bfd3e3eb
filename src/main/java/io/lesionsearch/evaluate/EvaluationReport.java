package io.lesionsearch.evaluate;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@link RetrievalEvaluation#run} found: precision@k and mAP@k per diagnosis and overall, with
 * chance levels and 95% lesion-level bootstrap intervals.
 *
 * @param points the images given, every one a candidate neighbour
 * @param notCounted per diagnosis, the queries left out because no image of another lesion shares
 *     their diagnosis (their AP is undefined and their precision is 0 by construction)
 * @param perClass by diagnosis, in name order
 * @param micro every counted query weighs the same
 * @param macro every diagnosis weighs the same: the mean of the per-class figures
 */
public record EvaluationReport(
    List<Integer> ks,
    int points,
    Map<String, Integer> notCounted,
    SortedMap<String, Figures> perClass,
    Figures micro,
    Figures macro,
    int resamples,
    long seed) {

  public EvaluationReport {
    ks = List.copyOf(ks);
    notCounted = Collections.unmodifiableSortedMap(new TreeMap<>(notCounted));
    perClass = new TreeMap<>(perClass);
  }

  /** Micro precision@k over every counted query: the gate other tools compare. */
  public double precisionAt(int k) {
    return micro.precisionAt(k).value();
  }

  /** Micro mAP@k over every counted query. */
  public double meanAveragePrecisionAt(int k) {
    return micro.averagePrecisionAt(k).value();
  }

  /** Queries counted in the figures. */
  public int queries() {
    return micro.queries();
  }
}
