package io.lesionsearch.evaluate;

import java.util.List;
import java.util.Objects;

/**
 * How to evaluate.
 *
 * @param ks the cut-offs, ascending and distinct, each at least 1
 * @param resamples lesion-level bootstrap resamples for the 95% intervals; 0 for none
 * @param seed of the bootstrap, so that the same data gives the same intervals
 * @param progress told how far the long steps are
 */
public record EvaluationSettings(List<Integer> ks, int resamples, long seed, Progress progress) {

  public static final List<Integer> DEFAULT_KS = List.of(1, 5, 10);
  public static final int DEFAULT_RESAMPLES = 1000;
  public static final long DEFAULT_SEED = 42;

  public EvaluationSettings {
    ks = List.copyOf(ks);
    if (ks.isEmpty()) {
      throw new IllegalArgumentException("give at least one k");
    }
    for (int i = 0; i < ks.size(); i++) {
      if (ks.get(i) < 1) {
        throw new IllegalArgumentException("every k must be at least 1, got " + ks.get(i));
      }
      if (i > 0 && ks.get(i) <= ks.get(i - 1)) {
        throw new IllegalArgumentException("the ks must be ascending and distinct, got " + ks);
      }
    }
    if (resamples < 0) {
      throw new IllegalArgumentException("resamples must be 0 or more, got " + resamples);
    }
    Objects.requireNonNull(progress, "progress");
  }

  /** k = 1, 5, 10; 1000 resamples; seed 42; no progress. */
  public static EvaluationSettings defaults() {
    return new EvaluationSettings(DEFAULT_KS, DEFAULT_RESAMPLES, DEFAULT_SEED, Progress.NONE);
  }

  public EvaluationSettings withKs(List<Integer> ks) {
    return new EvaluationSettings(ks, resamples, seed, progress);
  }

  public EvaluationSettings withResamples(int resamples) {
    return new EvaluationSettings(ks, resamples, seed, progress);
  }

  public EvaluationSettings withSeed(long seed) {
    return new EvaluationSettings(ks, resamples, seed, progress);
  }

  public EvaluationSettings withProgress(Progress progress) {
    return new EvaluationSettings(ks, resamples, seed, progress);
  }

  public int maxK() {
    return ks.get(ks.size() - 1);
  }

  /** Told how far a long step is; called from one thread at a time. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (step, done, total) -> {};

    void advanced(String step, int done, int total);
  }
}
