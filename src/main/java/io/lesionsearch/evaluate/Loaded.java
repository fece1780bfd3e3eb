package io.lesionsearch.evaluate;

import java.util.List;

/**
 * The points a source could read, and each one it could not use with why (shown to the user, never
 * dropped silently).
 */
public record Loaded(List<LabelledVector> points, List<String> problems) {

  public Loaded {
    points = List.copyOf(points);
    problems = List.copyOf(problems);
  }
}
