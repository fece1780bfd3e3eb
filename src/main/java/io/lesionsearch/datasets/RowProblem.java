package io.lesionsearch.datasets;

/**
 * What is wrong with one metadata row; {@code line} is the file's line number (the header is line
 * 1).
 */
public record RowProblem(long line, String imageId, String problem) {
  @Override
  public String toString() {
    return "line "
        + line
        + (imageId == null || imageId.isBlank() ? "" : " (" + imageId + ")")
        + ": "
        + problem;
  }
}
