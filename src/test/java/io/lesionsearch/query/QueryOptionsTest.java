package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.embed.ModelLoadException;
import io.lesionsearch.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query job's options follow the ingest job's conventions: arguments, --config files, kafka.*
 * settings.
 */
class QueryOptionsTest {

  @TempDir Path tmp;

  @Test
  void defaultsAreTheContractsTopicsAndLocalServers() {
    QueryConfig o = QueryOptions.parse("--model", "/models/m");
    assertEquals("lesion-search-requests", o.requestsTopic());
    assertEquals("lesion-search-results", o.repliesTopic());
    assertEquals("lesion-search-requests-dlq", o.deadLetterTopic());
    assertEquals("localhost:9092", o.kafka().bootstrapServers());
    assertEquals(6334, o.qdrant().port());
    assertEquals("lesions", o.qdrant().collection());
    assertEquals(100, o.inFlight());
    assertEquals(5000, o.requestTimeoutMs());
  }

  @Test
  void aPropertiesFileSetsOptionsAndKafkaSettingsAndArgumentsWin() throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("query.properties"),
            String.join(
                "\n",
                "model=/models/from-file",
                "in-flight=8",
                "request-timeout-ms=2000",
                "qdrant-host=qdrant-1",
                "kafka.security.protocol=SASL_SSL"));
    QueryConfig o = QueryOptions.parse("--config", file.toString(), "--in-flight", "16");
    assertEquals(List.of("/models/from-file"), o.models());
    assertEquals(16, o.inFlight(), "the command line wins over the file");
    assertEquals(2000, o.requestTimeoutMs());
    assertEquals("qdrant-1", o.qdrant().host());
    assertEquals(Map.of("security.protocol", "SASL_SSL"), o.kafka().properties());
  }

  @Test
  void modelRepeatsAndTheFirstComesFirst() {
    assertEquals(
        List.of("/models/old", "/models/new"),
        QueryOptions.parse("--model", "/models/old", "--model=/models/new").models());
    assertEquals(
        List.of("/models/old", "/models/new"),
        QueryOptions.parse("--model", "/models/old,/models/new").models());
  }

  @Test
  void theCommandLinesModelsReplaceTheFilesAsEveryOtherOptionDoes() throws Exception {
    Path file =
        Files.writeString(tmp.resolve("query.properties"), "model=/models/old,/models/new\n");
    assertEquals(
        List.of("/models/old", "/models/new"),
        QueryOptions.parse("--config", file.toString()).models());
    assertEquals(
        List.of("/models/new"),
        QueryOptions.parse("--config", file.toString(), "--model", "/models/new").models());
    assertEquals(
        List.of("/models/a", "/models/b"),
        QueryOptions.parse("--model", "/models/a", "--config", file.toString(), "--model=/models/b")
            .models());
  }

  @Test
  void twoModelsWithOneModelIdAreRefusedAtSubmission() throws Exception {
    Path model = TestData.model("vit-s16-d1/bf16");
    ModelLoadException e =
        assertThrows(
            ModelLoadException.class,
            () -> QueryJob.manifests(List.of(model.toString(), model.toString())));
    assertTrue(e.getMessage().contains("must have different model ids"), e.getMessage());
    assertEquals(1, QueryJob.manifests(List.of(model.toString())).size());
  }

  @Test
  void invalidValuesStopTheStartNamingTheOption() {
    assertMessage("--model is required", "--in-flight", "4");
    assertMessage("--in-flight must be 1..10000", "--model", "m", "--in-flight", "0");
    assertMessage(
        "--request-timeout-ms must be at least 100", "--model", "m", "--request-timeout-ms", "5");
    assertMessage(
        "--requests-topic must differ",
        "--model",
        "m",
        "--replies-topic",
        "lesion-search-requests");
    assertMessage("--parallelism must be at least 1", "--model", "m", "--parallelism", "0");
  }

  @Test
  void theSearchBudgetLeavesTheBackstopTimeoutTheLastWord() {
    assertEquals(4500, SearchFunction.budgetMs(5000));
    assertEquals(90, SearchFunction.budgetMs(100));
    assertEquals(59_000, SearchFunction.budgetMs(60_000));
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> QueryOptions.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
