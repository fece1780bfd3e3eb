package io.lesionsearch.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Figures worked out by hand on points placed at angles in the plane, where cosine ranks them by
 * angular distance.
 */
class RetrievalEvaluationTest {

  private static final double EPS = 1e-9;

  /**
   * a1 0°, a2 1° (lesion A, x); b 40° (x); c 10° (y); d 60° (y). Rankings over other lesions: a1: c
   * b d, a2: c b d, b: d c a2 a1, c: a2 a1 b d, d: b c a2 a1.
   */
  private static final List<LabelledVector> FIVE =
      List.of(
          at("a1", "A", "x", 0),
          at("a2", "A", "x", 1),
          at("b", "B", "x", 40),
          at("c", "C", "y", 10),
          at("d", "D", "y", 60));

  private static final EvaluationSettings K123 =
      EvaluationSettings.defaults().withKs(List.of(1, 2, 3)).withResamples(0);

  static LabelledVector at(String id, String lesion, String dx, double degrees) {
    double r = Math.toRadians(degrees);
    return new LabelledVector(
        id, lesion, dx, new float[] {(float) Math.cos(r), (float) Math.sin(r)});
  }

  @Test
  void theSameLesionsOtherImageIsNeverANeighbour() {
    EvaluationReport r = RetrievalEvaluation.run(FIVE, K123);
    // a2 is a1's nearest image; counted, P@1 of both would be 1 instead of 0.
    assertEquals(0, r.perClass().get("x").precisionAt(1).value(), EPS);
    assertEquals(0, r.precisionAt(1), EPS);
  }

  @Test
  void precisionAtKPerClassMicroAndMacro() {
    EvaluationReport r = RetrievalEvaluation.run(FIVE, K123);
    // P@2: a1 1/2, a2 1/2, b 0 | c 0, d 1/2
    assertEquals((0.5 + 0.5 + 0) / 3, r.perClass().get("x").precisionAt(2).value(), EPS);
    assertEquals(0.25, r.perClass().get("y").precisionAt(2).value(), EPS);
    assertEquals(1.5 / 5, r.precisionAt(2), EPS);
    assertEquals((1.0 / 3 + 0.25) / 2, r.macro().precisionAt(2).value(), EPS);
    // P@3: a1 1/3, a2 1/3, b 1/3, c 0, d 1/3
    assertEquals(4.0 / 3 / 5, r.precisionAt(3), EPS);
  }

  @Test
  void averagePrecisionDividesByTheSmallerOfKAndTheRelevantCount() {
    EvaluationReport r = RetrievalEvaluation.run(FIVE, K123);
    // AP@3: a1 (1/2)/1, a2 (1/2)/1, b (1/3)/min(3, 2) = 1/6, c 0, d (1/2)/1
    assertEquals((0.5 + 0.5 + 1.0 / 6 + 0 + 0.5) / 5, r.meanAveragePrecisionAt(3), EPS);
    assertEquals(
        (0.5 + 0.5 + 1.0 / 6) / 3, r.perClass().get("x").averagePrecisionAt(3).value(), EPS);
    // AP@1 = P@1
    assertEquals(0, r.meanAveragePrecisionAt(1), EPS);
  }

  @Test
  void chanceIsTheMeanShareOfRelevantCandidates() {
    EvaluationReport r = RetrievalEvaluation.run(FIVE, K123);
    // R/C: a1 1/3, a2 1/3, b 2/4, c 1/4, d 1/4
    double x = (1.0 / 3 + 1.0 / 3 + 0.5) / 3;
    assertEquals(x, r.perClass().get("x").chance(), EPS);
    assertEquals(0.25, r.perClass().get("y").chance(), EPS);
    assertEquals((1.0 / 3 + 1.0 / 3 + 0.5 + 0.25 + 0.25) / 5, r.micro().chance(), EPS);
    assertEquals((x + 0.25) / 2, r.macro().chance(), EPS);
  }

  @Test
  void countsQueriesAndLesions() {
    EvaluationReport r = RetrievalEvaluation.run(FIVE, K123);
    assertEquals(5, r.points());
    assertEquals(5, r.queries());
    assertEquals(4, r.micro().lesions());
    assertEquals(2, r.perClass().get("x").lesions());
    assertEquals(3, r.perClass().get("x").queries());
    assertEquals(Map.of(), r.notCounted());
  }

  @Test
  void aQueryWithoutARelevantCandidateIsLeftOutAndSaidSo() {
    List<LabelledVector> six = new ArrayList<>(FIVE);
    six.add(at("e", "E", "z", 80));
    EvaluationReport r = RetrievalEvaluation.run(six, K123);
    assertEquals(Map.of("z", 1), r.notCounted());
    assertEquals(5, r.queries());
    assertEquals(6, r.points());
    assertEquals(List.of("x", "y"), List.copyOf(r.perClass().keySet()));
  }

  @Test
  void anImageWithoutLesionIdIsALesionOfItsOwn() {
    List<LabelledVector> points =
        List.of(
            new LabelledVector("p", null, "x", new float[] {1, 0}),
            new LabelledVector("q", null, "x", new float[] {1, 0.01f}),
            new LabelledVector("r", "", "y", new float[] {0, 1}));
    EvaluationReport r = RetrievalEvaluation.run(points, K123);
    assertEquals(1, r.perClass().get("x").precisionAt(1).value(), EPS);
    assertEquals(Map.of("y", 1), r.notCounted());
  }

  @Test
  void tiesAreBrokenByImageIdWhateverTheOrder() {
    List<LabelledVector> points =
        List.of(
            at("q", "Q", "x", 0),
            at("m", "M", "y", 30),
            at("n", "N", "x", 30),
            at("o", "O", "x", 90));
    List<LabelledVector> reversed = new ArrayList<>(points);
    java.util.Collections.reverse(reversed);
    EvaluationSettings k1 = K123.withKs(List.of(1));
    // q's best two tie; m comes before n, so q's P@1 is 0 either way.
    assertEquals(
        RetrievalEvaluation.run(points, k1).perClass().get("x").precisionAt(1).value(),
        RetrievalEvaluation.run(reversed, k1).perClass().get("x").precisionAt(1).value(),
        EPS);
    assertEquals(0, new NeighbourScoring(points).score(0, List.of(1)).precision()[0], EPS);
  }

  @Test
  void theBootstrapIsReproducibleWithItsSeedAndBoundsTheFigure() {
    List<LabelledVector> points = clusters(40, 3, 0.9, 7);
    EvaluationSettings settings = EvaluationSettings.defaults().withResamples(200);
    EvaluationReport first = RetrievalEvaluation.run(points, settings);
    EvaluationReport again = RetrievalEvaluation.run(points, settings);
    EvaluationReport otherSeed = RetrievalEvaluation.run(points, settings.withSeed(43));
    Interval p5 = first.micro().precisionAt(5);
    assertEquals(p5, again.micro().precisionAt(5));
    assertEquals(first.perClass(), again.perClass());
    assertNotEquals(p5, otherSeed.micro().precisionAt(5));
    assertTrue(p5.low() <= p5.value() && p5.value() <= p5.high(), p5.toString());
    assertTrue(p5.high() - p5.low() > 0, p5.toString());
    assertEquals(200, first.resamples());
    assertEquals(42, first.seed());
  }

  @Test
  void withoutResamplesThereAreNoBounds() {
    Interval i = RetrievalEvaluation.run(FIVE, K123).micro().precisionAt(1);
    assertTrue(!i.hasBounds());
  }

  @Test
  void theProgressReachesTheEnd() {
    List<String> seen = new ArrayList<>();
    RetrievalEvaluation.run(
        FIVE,
        K123.withResamples(100)
            .withProgress((step, done, total) -> seen.add(step + " " + done + "/" + total)));
    assertTrue(seen.contains("queries 5/5"), seen.toString());
    assertTrue(seen.contains("resamples 100/100"), seen.toString());
  }

  @Test
  void refusesWhatCannotBeEvaluated() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RetrievalEvaluation.run(List.of(at("a", "A", "x", 0), at("a", "B", "x", 1)), K123));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RetrievalEvaluation.run(
                List.of(at("a", "A", "x", 0), new LabelledVector("b", "B", "x", new float[3])),
                K123));
    assertThrows(
        IllegalArgumentException.class,
        () -> RetrievalEvaluation.run(List.of(at("a", "A", "x", 0), at("b", "B", "y", 1)), K123));
    assertThrows(IllegalArgumentException.class, () -> K123.withKs(List.of(5, 1)));
    assertThrows(IllegalArgumentException.class, () -> K123.withKs(List.of(0)));
  }

  @Test
  void percentileInterpolatesBetweenRanks() {
    double[] v = {0, 1, 2, 3, 4};
    assertEquals(0.1, RetrievalEvaluation.percentile(v, 0.025), EPS);
    assertEquals(3.9, RetrievalEvaluation.percentile(v, 0.975), EPS);
  }

  /**
   * {@code perClass} clusters of lesions with two images each, around orthogonal axes; {@code
   * spread} of noise.
   */
  static List<LabelledVector> clusters(int lesions, int classes, double spread, long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    List<LabelledVector> points = new ArrayList<>();
    for (int l = 0; l < lesions; l++) {
      int c = l % classes;
      for (int i = 0; i < 2; i++) {
        float[] v = new float[classes];
        v[c] = 1;
        for (int d = 0; d < classes; d++) {
          v[d] += (float) (spread * random.nextGaussian());
        }
        points.add(new LabelledVector("img" + l + "_" + i, "L" + l, "c" + c, v));
      }
    }
    return points;
  }
}
