package io.lesionsearch.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The table, the JSON and the plot show the report's figures. e lies opposite the others: it is
 * never among their two nearest, so their figures are RetrievalEvaluationTest's.
 */
class ReportOutputTest {

  private static final EvaluationReport REPORT =
      RetrievalEvaluation.run(
          List.of(
              RetrievalEvaluationTest.at("a1", "A", "x", 0),
              RetrievalEvaluationTest.at("a2", "A", "x", 1),
              RetrievalEvaluationTest.at("b", "B", "x", 40),
              RetrievalEvaluationTest.at("c", "C", "y", 10),
              RetrievalEvaluationTest.at("d", "D", "y", 60),
              RetrievalEvaluationTest.at("e", "E", "z", 200)),
          EvaluationSettings.defaults().withKs(List.of(1, 2)).withResamples(50));

  @Test
  void theTableHasARowPerDxAndBothOverallRows() {
    StringWriter text = new StringWriter();
    ReportTable.print(REPORT, new PrintWriter(text));
    String t = text.toString();
    assertTrue(t.contains("6 images, 5 counted as queries (4 lesions); not counted: z 1"), t);
    assertTrue(t.contains("precision@k") && t.contains("mean average precision@k"), t);
    // micro P@2 = 0.3, with its interval
    assertTrue(t.lines().anyMatch(l -> l.startsWith("all (micro)") && l.contains("0.300 [")), t);
    assertEquals(2, t.lines().filter(l -> l.startsWith("x ")).count(), t);
    assertEquals(2, t.lines().filter(l -> l.startsWith("all (macro)")).count(), t);
  }

  @Test
  void theJsonHoldsEveryFigureWithItsBounds() {
    JsonNode j = ReportJson.of(REPORT);
    assertEquals(6, j.get("points").asInt());
    assertEquals(1, j.at("/not_counted/z").asInt());
    assertEquals(0.3, j.at("/micro/precision/2/value").asDouble(), 1e-9);
    assertTrue(j.at("/micro/precision/2/low").isNumber());
    assertEquals(1.0 / 3, j.at("/per_class/x/precision/2/value").asDouble(), 1e-9);
    assertEquals(3, j.at("/per_class/x/queries").asInt());
  }

  @Test
  void thePlotDrawsInColour() {
    BufferedImage image = PrecisionPlot.draw(REPORT, "test");
    assertEquals(PrecisionPlot.WIDTH, image.getWidth());
    int coloured = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
          coloured++;
        }
      }
    }
    assertTrue(coloured > 50, "coloured pixels: " + coloured);
  }
}
