package io.lesionsearch.datasets;

import java.nio.file.Path;
import java.util.List;

/**
 * A dataset as read: the usable images, and every row that is not usable with why. Nothing is
 * dropped silently: callers show the problems and let the user decide whether to go on without
 * them.
 */
public record DatasetScan(
    Path metadata,
    List<Path> imageFolders,
    int rows,
    List<LesionImage> images,
    List<RowProblem> problems) {

  public boolean clean() {
    return problems.isEmpty();
  }

  /** The first {@code max} problems, one per line, with a count of the rest. */
  public String problemSummary(int max) {
    StringBuilder b = new StringBuilder();
    b.append(problems.size())
        .append(" of ")
        .append(rows)
        .append(" rows in ")
        .append(metadata)
        .append(" cannot be used:");
    problems.stream().limit(max).forEach(p -> b.append("\n  ").append(p));
    if (problems.size() > max) {
      b.append("\n  ... and ").append(problems.size() - max).append(" more");
    }
    return b.toString();
  }
}
