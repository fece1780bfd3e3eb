package io.lesionsearch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * An option several commands take is one declaration (a shared mixin): the same default and help
 * everywhere.
 */
class SharedOptionsTest {

  private static final Map<String, List<String>> SHARED =
      Map.of(
          "--bootstrap-servers", List.of("ingest-job", "query-job", "produce", "search", "web"),
          "--kafka-property", List.of("ingest-job", "query-job", "produce", "search", "web"),
          "--requests-topic", List.of("query-job", "search", "web"),
          "--replies-topic", List.of("query-job", "search", "web"),
          "--topic", List.of("ingest-job", "produce"),
          "--model", List.of("local", "bench ingest", "bench query"));

  @Test
  void eachSharedOptionIsDeclaredOnce() {
    CommandLine main = Main.commandLine();
    SHARED.forEach(
        (name, commands) -> {
          OptionSpec first = option(main, commands.get(0), name);
          for (String command : commands.subList(1, commands.size())) {
            OptionSpec other = option(main, command, name);
            assertEquals(first.defaultValue(), other.defaultValue(), name + " in " + command);
            assertEquals(
                List.of(first.description()),
                List.of(other.description()),
                name + " in " + command);
            assertEquals(first.required(), other.required(), name + " in " + command);
          }
        });
  }

  private static OptionSpec option(CommandLine main, String command, String name) {
    CommandLine cmd = main;
    for (String word : command.split(" ", -1)) {
      cmd = cmd.getSubcommands().get(word);
    }
    OptionSpec option = cmd.getCommandSpec().findOption(name);
    assertNotNull(option, name + " in " + command);
    return option;
  }
}
