package io.lesionsearch.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class RetrievalEvaluationPropertiesTest {

  @Property(tries = 100)
  void everyFigureLiesBetweenZeroAndOne(@ForAll("points") List<LabelledVector> points) {
    EvaluationReport r;
    try {
      r = RetrievalEvaluation.run(points, EvaluationSettings.defaults().withResamples(20));
    } catch (IllegalArgumentException nothingToEvaluate) {
      assertTrue(nothingToEvaluate.getMessage().startsWith("nothing to evaluate"));
      return;
    }
    List<Figures> all = new ArrayList<>(r.perClass().values());
    all.add(r.micro());
    all.add(r.macro());
    for (Figures f : all) {
      assertTrue(f.chance() > 0 && f.chance() <= 1, f.toString());
      for (int k : r.ks()) {
        for (Interval i : List.of(f.precisionAt(k), f.averagePrecisionAt(k))) {
          assertTrue(i.value() >= 0 && i.value() <= 1, i.toString());
          assertTrue(i.low() >= 0 && i.high() <= 1 && i.low() <= i.high(), i.toString());
        }
      }
    }
  }

  @Property(tries = 50)
  void perfectSeparationScoresOne(
      @ForAll @IntRange(min = 2, max = 5) int classes,
      @ForAll @IntRange(min = 2, max = 12) int lesionsPerClass) {
    List<LabelledVector> points =
        RetrievalEvaluationTest.clusters(classes * lesionsPerClass, classes, 0.01, classes);
    EvaluationReport r =
        RetrievalEvaluation.run(points, EvaluationSettings.defaults().withResamples(10));
    for (int k : r.ks()) {
      assertEquals(1.0, r.meanAveragePrecisionAt(k), 1e-12);
      assertEquals(1.0, r.macro().averagePrecisionAt(k).value(), 1e-12);
    }
    assertEquals(1.0, r.precisionAt(1), 1e-12);
    // Each query has 2 * (lesionsPerClass - 1) relevant candidates of other lesions.
    assertEquals(
        2.0 * (lesionsPerClass - 1) / (2.0 * (classes * lesionsPerClass - 1)),
        r.micro().chance(),
        1e-12);
  }

  @Provide
  Arbitrary<List<LabelledVector>> points() {
    Arbitrary<LabelledVector> point =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.of("x", "y", "z"),
                Arbitraries.floats().between(-1, 1).array(float[].class).ofSize(3))
            .as((lesion, dx, v) -> new LabelledVector("?", "L" + lesion, dx, v));
    return point
        .list()
        .ofMinSize(2)
        .ofMaxSize(25)
        .map(
            list -> {
              List<LabelledVector> named = new ArrayList<>();
              for (int i = 0; i < list.size(); i++) {
                LabelledVector p = list.get(i);
                named.add(new LabelledVector("i" + i, p.lesionId(), p.dx(), p.vector()));
              }
              return named;
            });
  }
}
