package io.lesionsearch.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rounds of a side-by-side run, reduced to medians per row and the project's ratio to each peer
 * row. Medians, because one round disturbed by another process should not move the result.
 */
final class PeerComparison {

  private final String project;
  private final Map<String, List<double[]>> rows = new LinkedHashMap<>();
  private final Set<String> versions = new LinkedHashSet<>();

  PeerComparison(String project) {
    this.project = project;
  }

  static String peerRow(String dtype) {
    return "peer, "
        + dtype
        + (dtype.equals("float32") ? " (the tutorial as written)" : " autocast (torch.autocast)");
  }

  void add(String row, double endToEnd, double modelOnly) {
    rows.computeIfAbsent(row, r -> new ArrayList<>()).add(new double[] {endToEnd, modelOnly});
  }

  void versions(String peerVersions) {
    versions.add(peerVersions);
  }

  /** Median of column {@code col} (0 end-to-end, 1 model-only) of {@code row}. */
  double median(String row, int col) {
    double[] v = rows.get(row).stream().mapToDouble(r -> r[col]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  void print(PrintStream out) {
    int rounds = rows.get(project).size();
    out.printf("peer: %s%n", String.join("; ", versions));
    out.printf("median of %d rounds, images/s%-27s end-to-end  model-only%n", rounds, "");
    for (String row : rows.keySet()) {
      out.printf("  %-52s %8.1f  %10.1f%n", row, median(row, 0), median(row, 1));
    }
    for (String row : rows.keySet()) {
      if (!row.equals(project)) {
        out.printf(
            "  %-52s %7.2fx  %9.2fx%n",
            "project / " + row,
            median(project, 0) / median(row, 0),
            median(project, 1) / median(row, 1));
      }
    }
  }
}
