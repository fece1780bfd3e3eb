package io.lesionsearch.options;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Parsing and checking shared by the jobs' option classes. */
public final class Options {
  private Options() {}

  /**
   * Parses job arguments, with {@code --config FILE} expanded in place, into {@code holder}'s command.
   *
   * @throws IllegalArgumentException naming the option or setting at fault
   */
  public static void parse(Object holder, String... args) {
    CommandLine cmd = new CommandLine(holder)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOverwrittenOptionsAllowed(true);
    CommandSpec spec = cmd.getCommandSpec();
    try {
      cmd.parseArgs(OptionsFile.expand(List.of(args), spec).toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** A range check picocli's types cannot express; the message names the option. */
  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
