package io.lesionsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Comments, scripts and README name files of this repository by path; a rename that forgets them
 * leaves a newcomer looking for something that is not there. Paths into other projects (Qdrant's
 * Rust sources, its Java client) are not this test's business.
 */
class RepositoryReferencesTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();

  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?<![\\w./-])((?:jobs|flink-conf|datasets|\\.ci|src/(?:main|test)/(?:java/io/lesionsearch|resources))"
              + "(?:/[\\w.*-]+)*/?)");

  @Test
  void everyPathNamedInSourcesScriptsAndReadmeExists() throws IOException {
    TreeSet<String> missing = new TreeSet<>();
    for (Path file : filesToRead()) {
      String text = Files.readString(file);
      Matcher m = REFERENCE.matcher(text);
      while (m.find()) {
        String ref = m.group(1).replaceAll("[.]+$", "");
        if (!ref.contains("*") && !Files.exists(ROOT.resolve(ref))) {
          missing.add(ROOT.relativize(file) + " -> " + ref);
        }
      }
    }
    assertEquals(new TreeSet<String>(), missing, "paths named but not in the repository");
  }

  private static List<Path> filesToRead() throws IOException {
    try (Stream<Path> src = Files.walk(ROOT.resolve("src"));
        Stream<Path> jobs = Files.walk(ROOT.resolve("jobs"))) {
      return Stream.concat(
              Stream.concat(src, jobs)
                  .filter(Files::isRegularFile)
                  .filter(
                      p ->
                          p.toString().matches(".*\\.(java|sh|xml|yaml|py|properties)$")
                              || p.getFileName().toString().equals("lesion-search")),
              Stream.of(ROOT.resolve("README.md"), ROOT.resolve(".ci/run")))
          .filter(p -> !p.toString().contains("/target/"))
          .toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
