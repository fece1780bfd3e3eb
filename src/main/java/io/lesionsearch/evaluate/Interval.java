package io.lesionsearch.evaluate;

/**
 * A figure with its 95% bootstrap interval; {@code low} and {@code high} are NaN when no resamples
 * were drawn.
 */
public record Interval(double value, double low, double high) {

  public static Interval withoutBounds(double value) {
    return new Interval(value, Double.NaN, Double.NaN);
  }

  public boolean hasBounds() {
    return !Double.isNaN(low) && !Double.isNaN(high);
  }
}
