package io.lesionsearch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lesionsearch.ingest.IngestConfig;
import io.lesionsearch.ingest.IngestOptions;
import io.lesionsearch.reindex.ReindexSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReindexCommandTest {
  @Test
  void theIngestOptionsParseSeesNoneOfReindexsOwn() {
    assertEquals(
        List.of("--model", "m", "--topic", "t"),
        ReindexCommand.ingestArgs(
            List.of(
                "--to",
                "x__b",
                "--model",
                "m",
                "--swap",
                "--max-drop=0.1",
                "--k",
                "5",
                "--topic",
                "t",
                "--alias",
                "x",
                "--requested-by",
                "ann")));
  }

  @Test
  void theReindexWritesToItsCollectionWithAGroupOfItsOwn() {
    IngestConfig o = IngestOptions.parse("--model", "m", "--collection", "lesions");
    IngestConfig into = ReindexCommand.into(o, "lesions__b");
    assertEquals("lesions__b", into.qdrant().collection());
    assertNotEquals(o.groupId(), into.groupId());
    assertEquals(o.topic(), into.topic());
  }

  @Test
  void theAliasCannotBeTheNewCollection() {
    IngestConfig o = IngestOptions.parse("--model", "m", "--collection", "lesions__b");
    assertThrows(
        IllegalArgumentException.class,
        () -> new ReindexSettings(o, "lesions__b", false, 0.02, 10, "ann"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ReindexSettings(o, "lesions", false, 1.5, 10, "ann"));
  }
}
