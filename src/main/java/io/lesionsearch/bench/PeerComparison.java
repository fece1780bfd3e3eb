package io.lesionsearch.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** The target for the project against the tutorial in float32, end to end. */
  static final double FLOAT32_TARGET = 3.0;

  private final String project;
  private final boolean projectFloat32;
  private final Map<String, List<double[]>> rows = new LinkedHashMap<>();
  private final Set<String> versions = new LinkedHashSet<>();
  private final List<PythonPeer.Ceiling> ceilings = new ArrayList<>();

  /**
   * @param projectFloat32 whether the project's model computes in float32, so that the float32
   *     ceiling bounds it too
   */
  PeerComparison(String project, boolean projectFloat32) {
    this.project = project;
    this.projectFloat32 = projectFloat32;
  }

  static String peerRow(String dtype) {
    return "peer, "
        + dtype
        + (dtype.equals("float32") ? " (the tutorial as written)" : " autocast (torch.autocast)");
  }

  void add(String row, double endToEnd, double modelOnly) {
    rows.computeIfAbsent(row, r -> new ArrayList<>()).add(new double[] {endToEnd, modelOnly});
  }

  void ceiling(PythonPeer.Ceiling measured) {
    ceilings.add(measured);
  }

  /** Median of the rounds' float32 ceilings, in images/s. */
  double ceilingImagesPerSecond() {
    return median(ceilings.stream().mapToDouble(PythonPeer.Ceiling::imagesPerSecond).toArray());
  }

  void versions(String peerVersions) {
    versions.add(peerVersions);
  }

  /** Median of column {@code col} (0 end-to-end, 1 model-only) of {@code row}. */
  double median(String row, int col) {
    return median(rows.get(row).stream().mapToDouble(r -> r[col]).toArray());
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
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
    if (!ceilings.isEmpty()) {
      printCeiling(out);
    }
  }

  /**
   * How far any float32 pipeline of this model could go on this machine, and where the peer, the
   * project and the float32 target stand against it.
   */
  private void printCeiling(PrintStream out) {
    double ceiling = ceilingImagesPerSecond();
    out.printf(
        "float32 ceiling of this machine, median of %d rounds: %.2f GFLOP per image at %.1f GFLOP/s"
            + " (torch.mm float32, the peer's threads) = %.1f images/s%n",
        ceilings.size(),
        median(ceilings.stream().mapToDouble(PythonPeer.Ceiling::gflopPerImage).toArray()),
        median(ceilings.stream().mapToDouble(PythonPeer.Ceiling::matmulGflops).toArray()),
        ceiling);
    List<String> shares = new ArrayList<>();
    String peer = peerRow("float32");
    for (String row : List.of(peer, project)) {
      if (rows.containsKey(row) && (row.equals(peer) || projectFloat32)) {
        shares.add(String.format("%s %.2f", row, median(row, 1) / ceiling));
      }
    }
    out.printf("  model-only / ceiling: %s%n", String.join("; ", shares));
    if (rows.containsKey(peer)) {
      double target = FLOAT32_TARGET * median(peer, 0);
      out.printf(
          "  %.0fx the peer in float32, end to end: %.1f images/s = %.2fx the ceiling%n",
          FLOAT32_TARGET, target, target / ceiling);
    }
  }
}
