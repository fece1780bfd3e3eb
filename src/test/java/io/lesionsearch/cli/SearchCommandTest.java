package io.lesionsearch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The request the search command sends for its options. */
class SearchCommandTest {

  private static JsonNode request(String... args) throws Exception {
    SearchCommand command = new SearchCommand();
    new CommandLine(command).parseArgs(args);
    return command.request();
  }

  @Test
  void groupByAndGroupSizeGoIntoTheRequest() throws Exception {
    JsonNode grouped =
        request("--image-id", "ISIC_0024329", "--group-by", "lesion_id", "--group-size", "3");
    assertEquals("lesion_id", grouped.get("group_by").asText());
    assertEquals(3, grouped.get("group_size").asInt());
    assertEquals(10, grouped.get("limit").asInt());
    JsonNode plain = request("--image-id", "ISIC_0024329");
    assertFalse(plain.has("group_by"));
    assertFalse(plain.has("group_size"));
  }
}
