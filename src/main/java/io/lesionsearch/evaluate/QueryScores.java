package io.lesionsearch.evaluate;

/**
 * One query's outcome.
 *
 * @param relevant R, the candidates that share the query's diagnosis
 * @param candidates C, the images of other lesions
 * @param precision precision@k, by the index of k in the settings
 * @param averagePrecision AP@k, likewise
 */
record QueryScores(
    int query, int relevant, int candidates, double[] precision, double[] averagePrecision) {

  double chance() {
    return (double) relevant / candidates;
  }
}
