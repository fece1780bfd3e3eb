package io.lesionsearch.deployment;

import java.util.List;

/**
 * The packages only the full jar carries: the embedded services, local mode and their commands (see
 * pom.xml).
 */
public final class LocalOnlyPackages {
  private LocalOnlyPackages() {}

  /** As class-file (and jar entry) prefixes. */
  public static final List<String> PATHS =
      List.of(
          "io/lesionsearch/local/", "io/lesionsearch/qdrantlocal/", "io/lesionsearch/cli/local/");

  public static boolean contains(String classOrEntryName) {
    String path = classOrEntryName.replace('.', '/');
    return PATHS.stream().anyMatch(path::startsWith);
  }
}
