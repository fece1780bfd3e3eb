package io.lesionsearch.evaluate;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/** The report as text: a precision@k and a mAP@k table, each per diagnosis, then overall. */
public final class ReportTable {

  private ReportTable() {}

  public static void print(EvaluationReport r, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%d images, %d counted as queries (%d lesions)%s%n",
        r.points(),
        r.queries(),
        r.micro().lesions(),
        r.notCounted().isEmpty() ? "" : "; not counted: " + notCounted(r.notCounted()));
    out.println(
        "neighbours: the k nearest (cosine) among images of OTHER lesions; relevant = same dx");
    out.println(
        "chance: mean over queries of R/C (R same-dx candidates, C candidates), the P@k of a random ranking");
    out.println(
        r.resamples() > 0
            ? String.format(
                Locale.ROOT,
                "[low, high]: 95%% interval, lesion-level bootstrap, %d resamples, seed %d",
                r.resamples(),
                r.seed())
            : "no intervals (--resamples 0)");
    table(r, out, "precision@k", "P@", Figures::precisionAt);
    table(r, out, "mean average precision@k", "mAP@", Figures::averagePrecisionAt);
    out.flush();
  }

  private static void table(
      EvaluationReport r,
      PrintWriter out,
      String title,
      String prefix,
      BiFunction<Figures, Integer, Interval> metric) {
    out.println();
    out.println(title);
    StringBuilder header =
        new StringBuilder(
            String.format(Locale.ROOT, "%-14s %7s %7s %6s", "dx", "queries", "lesions", "chance"));
    for (int k : r.ks()) {
      header.append(String.format(Locale.ROOT, "  %-19s", prefix + k));
    }
    out.println(header.toString().stripTrailing());
    r.perClass().forEach((dx, f) -> row(out, dx, f, r, metric));
    out.println("-".repeat(header.toString().stripTrailing().length()));
    row(out, "all (micro)", r.micro(), r, metric);
    row(out, "all (macro)", r.macro(), r, metric);
  }

  private static void row(
      PrintWriter out,
      String name,
      Figures f,
      EvaluationReport r,
      BiFunction<Figures, Integer, Interval> metric) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT, "%-14s %7d %7d %6.3f", name, f.queries(), f.lesions(), f.chance()));
    for (int k : r.ks()) {
      line.append("  ").append(String.format(Locale.ROOT, "%-19s", cell(metric.apply(f, k))));
    }
    out.println(line.toString().stripTrailing());
  }

  static String cell(Interval i) {
    return i.hasBounds()
        ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", i.value(), i.low(), i.high())
        : String.format(Locale.ROOT, "%.3f", i.value());
  }

  static String notCounted(Map<String, Integer> notCounted) {
    StringBuilder b = new StringBuilder();
    notCounted.forEach(
        (dx, n) -> b.append(b.isEmpty() ? "" : ", ").append(dx).append(' ').append(n));
    return b + " (no image of another lesion shares their dx)";
  }
}
