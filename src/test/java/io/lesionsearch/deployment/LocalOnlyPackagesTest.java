package io.lesionsearch.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The cluster jar leaves the local-only packages out, so no class it keeps may name one: a
 * reference would be a NoClassDefFoundError on a TaskManager. Class files name the classes they use
 * in their constant pool, in the same slash form the prefixes have.
 */
class LocalOnlyPackagesTest {

  @Test
  void noClassOutsideTheLocalOnlyPackagesReferencesThem() throws Exception {
    Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(p -> p.toString().endsWith(".class")).toList();
    }
    List<String> kept =
        files.stream()
            .map(p -> classes.relativize(p).toString().replace('\\', '/'))
            .filter(name -> !LocalOnlyPackages.contains(name))
            .toList();
    assertTrue(
        kept.size() > 100 && kept.size() < files.size(),
        kept.size() + " of " + files.size() + " classes kept");
    List<String> offenders =
        kept.stream()
            .filter(
                name -> {
                  try {
                    String text =
                        new String(
                            Files.readAllBytes(classes.resolve(name)), StandardCharsets.ISO_8859_1);
                    return LocalOnlyPackages.PATHS.stream().anyMatch(text::contains);
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                })
            .toList();
    assertEquals(List.of(), offenders, "classes of the cluster jar that name a local-only package");
  }
}
