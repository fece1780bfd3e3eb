package io.lesionsearch.options;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Parsing and checking shared by the jobs' option classes. */
public final class Options {
  private Options() {}

  /**
   * Parses job arguments, with {@code --config FILE} expanded in place, into {@code options} (an
   * object with picocli {@code @Option} and {@code @Mixin} fields).
   *
   * @throws IllegalArgumentException naming the option or setting at fault
   */
  public static void parse(Object options, String... args) {
    CommandSpec spec = CommandSpec.create();
    spec.addMixin("options", CommandSpec.forAnnotatedObject(options));
    // Known to the parser only so that OptionsFile can tell it from a misspelt setting.
    spec.addOption(OptionSpec.builder(OptionsFile.OPTION).arity("1").build());
    CommandLine cmd =
        new CommandLine(spec)
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setOverwrittenOptionsAllowed(true);
    try {
      cmd.parseArgs(OptionsFile.expand(List.of(args), spec).toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
