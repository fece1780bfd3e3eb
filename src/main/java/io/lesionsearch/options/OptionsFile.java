package io.lesionsearch.options;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Options from a properties file: {@code bootstrap-servers=...} for {@code --bootstrap-servers},
 * {@code kafka.security.protocol=...} for {@code --kafka-property security.protocol=...}. They
 * become arguments placed before the command line's, so the command line wins. A key that names no
 * option fails the start: a misspelt setting silently ignored is worse than no start.
 */
public final class OptionsFile {

  public static final String OPTION = "--config";
  public static final String KAFKA_PREFIX = "kafka.";

  private OptionsFile() {}

  /**
   * The original arguments with {@code --config FILE} replaced by the file's settings, placed
   * first.
   */
  public static List<String> expand(List<String> args, CommandSpec spec) {
    List<String> rest = new ArrayList<>();
    Path file = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals(OPTION) && i + 1 < args.size()) {
        file = Path.of(args.get(++i));
      } else if (arg.startsWith(OPTION + "=")) {
        file = Path.of(arg.substring(OPTION.length() + 1));
      } else {
        rest.add(arg);
      }
    }
    if (file == null) {
      return args;
    }
    List<String> expanded = fromFile(file, spec);
    expanded.addAll(rest);
    return expanded;
  }

  private static List<String> fromFile(Path file, CommandSpec spec) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "cannot read " + OPTION + " " + file + ": " + e);
    }
    Set<String> unknown = new TreeSet<>();
    List<String> args = new ArrayList<>();
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      String value = properties.getProperty(key).trim();
      if (key.startsWith(KAFKA_PREFIX)) {
        args.add("--kafka-property");
        args.add(key.substring(KAFKA_PREFIX.length()) + "=" + value);
      } else if (spec.findOption("--" + key) != null && !OPTION.equals("--" + key)) {
        args.add("--" + key + "=" + value);
      } else {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "unknown setting(s) in " + file + ": " + String.join(", ", unknown));
    }
    return args;
  }
}
