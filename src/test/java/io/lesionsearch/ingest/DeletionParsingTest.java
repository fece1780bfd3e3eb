package io.lesionsearch.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lesionsearch.audit.AuditRecord;
import io.lesionsearch.audit.AuditTrail;
import io.lesionsearch.kafka.SourceRecord;
import io.lesionsearch.qdrant.PointIds;
import io.lesionsearch.qdrant.PointOp;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.grpc.Common.Filter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The deletion shapes of the ingest contract (README.md, "Deleting images"): a tombstone, {@code
 * op: delete} by image_id or by filter, and every malformed delete as its {@link RecordProblem}.
 */
class DeletionParsingTest {

  private final IngestMessageParser parser = new IngestMessageParser(1000, List.of("site"));

  private static SourceRecord record(String key, String json) {
    return new SourceRecord(
        "lesion-images",
        0,
        7,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        json == null ? null : json.getBytes(StandardCharsets.UTF_8));
  }

  private Deletion deletion(String key, String json) throws Exception {
    return assertInstanceOf(Deletion.class, parser.read(record(key, json)));
  }

  @Test
  void aTombstoneDeletesTheImageItsKeyNames() throws Exception {
    Deletion d = deletion("ISIC_0024329", null);
    assertEquals("ISIC_0024329", d.imageId());
    PointOp.Delete op = d.toOp();
    assertEquals(
        List.of(PointIdFactory.id(PointIds.forImageId("ISIC_0024329"))),
        op.selector().getPoints().getIdsList(),
        "the point id an upsert of the same image_id gets");
    AuditRecord audit = DeletionAudit.record(op, 12);
    assertEquals(AuditRecord.DELETE, audit.action());
    assertEquals("ISIC_0024329", audit.deletion().imageId());
    assertNull(audit.deletion().filter());
    assertEquals("lesion-images-0@7", audit.requestId(), "the record it came in");
    assertNull(audit.requestedBy(), "a tombstone names nobody");
    assertEquals(12, audit.latencyMs());
  }

  @Test
  void aDeleteMayNameWhoItIsForAndTheAuditKeepsIt() throws Exception {
    Deletion d =
        deletion(
            "k", "{\"op\": \"delete\", \"image_id\": \"a\", \"requested_by\": \"dpo@clinic\"}");
    AuditRecord audit = DeletionAudit.record(d.toOp(), 0);
    assertEquals("dpo@clinic", audit.requestedBy());
    String line = AuditTrail.line(audit);
    assertTrue(line.contains("\"requested_by\":\"dpo@clinic\""), line);
    assertReason(
        "k",
        "{\"op\": \"delete\", \"image_id\": \"a\", \"requested_by\": \"\"}",
        RecordProblem.INVALID_VALUE,
        "requested_by");
    assertReason(
        "k",
        "{\"op\": \"delete\", \"image_id\": \"a\", \"requested_by\": 3}",
        RecordProblem.WRONG_TYPE,
        "requested_by");
  }

  @Test
  void anOpDeleteByImageIdIsTheSameDeletion() throws Exception {
    Deletion d = deletion("other-key", "{\"op\": \"delete\", \"image_id\": \"ISIC_0024329\"}");
    assertEquals("ISIC_0024329", d.imageId(), "the message's image_id, not the key");
    assertEquals(deletion("ISIC_0024329", null).toOp().selector(), d.toOp().selector());
  }

  @Test
  void anOpDeleteByFilterCarriesTheFilterAndItsJsonForTheAudit() throws Exception {
    Deletion d =
        deletion(
            null,
            "{\"op\": \"delete\", \"filter\": {\"must\": [{\"key\": \"lesion_id\","
                + " \"match\": {\"value\": \"HAM_0002730\"}}]}}");
    assertNull(d.imageId());
    Filter f = d.toOp().selector().getFilter();
    assertEquals("lesion_id", f.getMust(0).getField().getKey());
    assertEquals("HAM_0002730", f.getMust(0).getField().getMatch().getKeyword());
    AuditRecord audit = DeletionAudit.record(d.toOp(), 0);
    assertNull(audit.deletion().imageId());
    String line = AuditTrail.line(audit);
    assertTrue(
        line.contains(
            "\"filter\":{\"must\":[{\"key\":\"lesion_id\",\"match\":{\"value\":\"HAM_0002730\"}}]}"),
        line);
  }

  @Test
  void aFilterMayNameExtraFieldsAndTheJobsOwn() throws Exception {
    deletion(
        null,
        "{\"op\":\"delete\",\"filter\":{\"must\":{\"key\":\"site\",\"match\":{\"value\":\"vienna\"}}}}");
    deletion(
        null,
        "{\"op\":\"delete\",\"filter\":{\"must\":{\"key\":\"model_id\",\"match\":{\"value\":\"m\"}}}}");
  }

  @Test
  void anUpsertOpOrNoOpIsAnImage() throws Exception {
    assertInstanceOf(
        ImageToEmbed.class,
        parser.read(
            record("a", "{\"op\": \"upsert\", \"image_id\": \"a\", \"image_uri\": \"/a\"}")));
    assertInstanceOf(
        ImageToEmbed.class,
        parser.read(record("a", "{\"image_id\": \"a\", \"image_uri\": \"/a\"}")));
  }

  @Test
  void badDeletesAreRefusedWithTheirReason() {
    assertReason(null, null, RecordProblem.EMPTY_MESSAGE, "no key to delete");
    assertReason("", null, RecordProblem.EMPTY_MESSAGE, "no key to delete");
    assertReason("  ", null, RecordProblem.MISSING_FIELD, "blank");
    assertReason("x".repeat(300), null, RecordProblem.TEXT_TOO_LONG, "over the limit of 256");
    assertReason("k", "", RecordProblem.EMPTY_MESSAGE, "empty message");
    assertReason("k", "{\"op\": \"erase\", \"image_id\": \"a\"}", RecordProblem.UNKNOWN_OP, "op");
    assertReason("k", "{\"op\": 1, \"image_id\": \"a\"}", RecordProblem.WRONG_TYPE, "op");
    assertReason("k", "{\"op\": \"delete\"}", RecordProblem.AMBIGUOUS_DELETE, "neither");
    assertReason(
        "k",
        "{\"op\": \"delete\", \"image_id\": \"a\", \"filter\": {\"must\": []}}",
        RecordProblem.AMBIGUOUS_DELETE,
        "both");
    assertReason(
        "k", "{\"op\": \"delete\", \"image_id\": \" \"}", RecordProblem.MISSING_FIELD, "blank");
    assertReason(
        "k", "{\"op\": \"delete\", \"image_id\": 5}", RecordProblem.WRONG_TYPE, "image_id");
    assertReason(
        "k", "{\"op\": \"delete\", \"filter\": \"all\"}", RecordProblem.INVALID_FILTER, "filter");
    assertReason(
        "k",
        "{\"op\": \"delete\", \"filter\": {\"must\": {\"key\": \"lesion_id\", \"match\": {\"likes\": 1}}}}",
        RecordProblem.INVALID_FILTER,
        "filter.must");
    assertReason(
        "k",
        "{\"op\": \"delete\", \"filter\": {\"must\": {\"key\": \"lesoin_id\", \"match\": {\"value\": \"L\"}}}}",
        RecordProblem.INVALID_FILTER,
        "only on payload fields");
    assertReason(
        "k",
        "{\"op\": \"delete\", \"filter\": {}}",
        RecordProblem.FILTER_MATCHES_ALL,
        "every point");
    assertReason(
        "k",
        "{\"op\": \"delete\", \"filter\": {\"must\": [], \"must_not\": [{\"must\": []}]}}",
        RecordProblem.FILTER_MATCHES_ALL,
        "every point");
  }

  @Test
  void aRefusalNeverQuotesTheUnknownKey() {
    InvalidRecordException e =
        assertThrows(
            InvalidRecordException.class,
            () ->
                parser.read(
                    record(
                        "k",
                        "{\"op\": \"delete\", \"filter\": {\"must\": {\"key\": \"SECRET-"
                            + "x".repeat(5000)
                            + "\", \"match\": {\"value\": \"L\"}}}}")));
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
  }

  @Test
  void aFilterWithAConditionDoesNotMatchAll() {
    assertFalse(
        IngestMessageParser.matchesAll(
            Filter.newBuilder()
                .addMustNot(io.qdrant.client.ConditionFactory.matchKeyword("dx", "mel"))
                .build()));
    assertTrue(IngestMessageParser.matchesAll(Filter.getDefaultInstance()));
  }

  private void assertReason(String key, String json, RecordProblem problem, String expected) {
    InvalidRecordException e =
        assertThrows(InvalidRecordException.class, () -> parser.read(record(key, json)));
    assertEquals(problem, e.problem(), e.getMessage());
    assertTrue(
        e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
