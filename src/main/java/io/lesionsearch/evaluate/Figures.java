package io.lesionsearch.evaluate;

import java.util.Map;

/**
 * The figures of one group of queries: one diagnosis, or all of them.
 *
 * @param queries the queries counted (those with at least one relevant candidate)
 * @param lesions the lesions those queries belong to, the bootstrap's unit
 * @param chance precision@k of a random ranking: the mean of R/C over the queries (R relevant among
 *     C candidates), exact for every k up to C
 * @param precision precision@k by k
 * @param averagePrecision mean AP@k by k
 */
public record Figures(
    int queries,
    int lesions,
    double chance,
    Map<Integer, Interval> precision,
    Map<Integer, Interval> averagePrecision) {

  public Figures {
    precision = Map.copyOf(precision);
    averagePrecision = Map.copyOf(averagePrecision);
  }

  public Interval precisionAt(int k) {
    return at(precision, k);
  }

  public Interval averagePrecisionAt(int k) {
    return at(averagePrecision, k);
  }

  private static Interval at(Map<Integer, Interval> byK, int k) {
    Interval i = byK.get(k);
    if (i == null) {
      throw new IllegalArgumentException(
          "k = " + k + " was not evaluated; these were: " + byK.keySet());
    }
    return i;
  }
}
