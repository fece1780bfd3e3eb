package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The query job picks the model whose vectors the searched collection holds. */
class JobModelsTest {

  /** A fake encoder: the model id it would embed with. */
  private record Encoder(String modelId) {}

  private static final Encoder A = new Encoder("A");
  private static final Encoder B = new Encoder("B");

  private final JobModels<Encoder> models = new JobModels<>(ordered("A", A, "B", B));

  private static Map<String, Encoder> ordered(Object... idsAndEncoders) {
    Map<String, Encoder> m = new LinkedHashMap<>();
    for (int i = 0; i < idsAndEncoders.length; i += 2) {
      m.put((String) idsAndEncoders[i], (Encoder) idsAndEncoders[i + 1]);
    }
    return m;
  }

  private static CollectionModel.Target collectionOf(String modelId) {
    return new CollectionModel.Target("lesions", "lesions__" + modelId, modelId, 384);
  }

  @Test
  void eachCollectionGetsTheEncoderOfItsModel() {
    assertEquals(A, models.forCollection(collectionOf("A")));
    assertEquals(B, models.forCollection(collectionOf("B")));
  }

  @Test
  void aCollectionOfAnotherModelIsAMismatchNamingItsModelAndTheJobs() {
    CompletionException e =
        assertThrows(CompletionException.class, () -> models.forCollection(collectionOf("C")));
    QueryException refusal = assertInstanceOf(QueryException.class, e.getCause());
    assertEquals(ErrorCode.MODEL_MISMATCH, refusal.code());
    assertEquals(
        "this job embeds images with models 'A', 'B', but collection lesions (alias of lesions__C)"
            + " holds vectors of model 'C'; vectors of two models are never compared",
        refusal.getMessage());
  }

  @Test
  void aCollectionThatRecordsNoModelGetsTheFirst() {
    assertEquals(A, models.forCollection(new CollectionModel.Target("old", "old", null, 384)));
    assertEquals(
        B,
        new JobModels<>(ordered("B", B, "A", A))
            .forCollection(new CollectionModel.Target("old", "old", null, 384)));
  }

  @Test
  void oneModelIsNamedInTheSingular() {
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> new JobModels<>(ordered("A", A)).forCollection(collectionOf("B")));
    assertTrue(
        e.getCause().getMessage().startsWith("this job embeds images with model 'A', but "),
        e.getCause().getMessage());
  }

  @Test
  void manyModelsAreCountedNotListed() {
    Map<String, Encoder> six = new LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      six.put("m" + i, new Encoder("m" + i));
    }
    CompletionException e =
        assertThrows(
            CompletionException.class, () -> new JobModels<>(six).forCollection(collectionOf("C")));
    String message = e.getCause().getMessage();
    assertTrue(message.contains("models 'm0', 'm1', 'm2', 'm3', and 2 more, but"), message);
    assertFalse(message.contains("'m4'"), message);
  }

  @Test
  void theMessageStaysBoundedWhateverTheModelIds() {
    String longId = "x".repeat(100_000);
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () ->
                new JobModels<>(ordered(longId, A, longId + "y", B))
                    .forCollection(
                        new CollectionModel.Target("lesions", "lesions__c", "c" + longId, 384)));
    String message = e.getCause().getMessage();
    assertTrue(message.length() < 400, message.length() + " characters");
    assertTrue(message.startsWith("this job embeds images with models 'xxx"), message);
  }

  @Test
  void aJobWithoutModelsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new JobModels<Encoder>(Map.of()));
  }
}
