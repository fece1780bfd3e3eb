package io.lesionsearch.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * A job command's own arguments as typed. Job options are parsed again from these as a whole, so
 * that {@code --config} settings and arguments merge by one rule (arguments win).
 */
final class JobArguments {
  private JobArguments() {}

  static String[] of(CommandLine.Model.CommandSpec spec) {
    List<String> all = spec.commandLine().getParseResult().originalArgs();
    return all.subList(all.indexOf(spec.name()) + 1, all.size()).toArray(String[]::new);
  }
}
