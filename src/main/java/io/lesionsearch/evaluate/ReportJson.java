package io.lesionsearch.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** The report as one JSON object, for scripts and for comparing runs. */
public final class ReportJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportJson() {}

  public static ObjectNode of(EvaluationReport r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("points", r.points());
    o.put("queries", r.queries());
    o.set("not_counted", JSON.valueToTree(r.notCounted()));
    o.set("ks", JSON.valueToTree(r.ks()));
    o.put("resamples", r.resamples());
    o.put("seed", r.seed());
    o.put(
        "chance", "mean over queries of R/C: R same-dx candidates among C images of other lesions");
    o.put("interval", "95%, percentiles 2.5 and 97.5 of a lesion-level bootstrap");
    ObjectNode perClass = o.putObject("per_class");
    r.perClass().forEach((dx, f) -> perClass.set(dx, figures(f)));
    o.set("micro", figures(r.micro()));
    o.set("macro", figures(r.macro()));
    return o;
  }

  private static ObjectNode figures(Figures f) {
    ObjectNode o = JSON.createObjectNode();
    o.put("queries", f.queries());
    o.put("lesions", f.lesions());
    o.put("chance", f.chance());
    o.set("precision", byK(f.precision()));
    o.set("map", byK(f.averagePrecision()));
    return o;
  }

  private static ObjectNode byK(Map<Integer, Interval> byK) {
    ObjectNode o = JSON.createObjectNode();
    byK.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              ObjectNode i = o.putObject(Integer.toString(e.getKey()));
              i.put("value", e.getValue().value());
              if (e.getValue().hasBounds()) {
                i.put("low", e.getValue().low());
                i.put("high", e.getValue().high());
              } else {
                i.putNull("low");
                i.putNull("high");
              }
            });
    return o;
  }
}
