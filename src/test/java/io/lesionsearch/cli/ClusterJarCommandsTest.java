package io.lesionsearch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.deployment.LocalOnlyPackages;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Main in both jars: the full jar offers every command; the cluster jar, without the local-only
 * packages, offers the others and starts without a NoClassDefFoundError. The cluster jar is played
 * by a class loader that cannot find those packages.
 */
class ClusterJarCommandsTest {

  private static final List<String> CLUSTER_COMMANDS =
      List.of(
          "embed",
          "ingest-job",
          "query-job",
          "search",
          "web",
          "datasets",
          "produce",
          "evaluate",
          "bench",
          "help");

  @Test
  void theFullJarOffersTheLocalCommandsTooInTheirPlaces() {
    CommandLine main = Main.commandLine();
    assertEquals(
        List.of(
            "embed",
            "ingest-job",
            "query-job",
            "local",
            "search",
            "web",
            "datasets",
            "produce",
            "evaluate",
            "bench",
            "qdrant-local",
            "help"),
        List.copyOf(main.getSubcommands().keySet()));
    assertEquals(
        List.of("embed", "ingest", "query", "qdrant-local"),
        List.copyOf(main.getSubcommands().get("bench").getSubcommands().keySet()));
  }

  @Test
  void theClusterJarOffersTheOthersAndItsHelpRuns() throws Exception {
    ClassLoader cluster =
        new WithoutLocalPackages(
            Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    CommandLine main =
        (CommandLine) cluster.loadClass(Main.class.getName()).getMethod("commandLine").invoke(null);
    assertEquals(CLUSTER_COMMANDS, List.copyOf(main.getSubcommands().keySet()));
    assertEquals(
        List.of("embed"),
        List.copyOf(main.getSubcommands().get("bench").getSubcommands().keySet()));

    StringWriter out = new StringWriter();
    int status = main.setOut(new PrintWriter(out)).execute("--help");
    assertEquals(0, status);
    assertTrue(out.toString().contains("ingest-job"), out.toString());
    assertFalse(out.toString().contains("qdrant-local"), out.toString());
    assertEquals(
        0, main.execute("ingest-job", "--help"), "a job's options need nothing local either");
  }

  /**
   * Loads the project's classes itself, from the build's class folder, except the local-only ones.
   */
  private static final class WithoutLocalPackages extends ClassLoader {
    private final Path classes;

    WithoutLocalPackages(Path classes) {
      super(ClassLoader.getSystemClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.lesionsearch.")) {
        return super.loadClass(name, resolve);
      }
      if (LocalOnlyPackages.contains(name)) {
        throw new ClassNotFoundException(name + " (not in the cluster jar)");
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          Path file = classes.resolve(name.replace('.', '/') + ".class");
          try {
            byte[] bytes = Files.readAllBytes(file);
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, new UncheckedIOException(e));
          }
        }
        if (resolve) {
          resolveClass(loaded);
        }
        return loaded;
      }
    }
  }
}
