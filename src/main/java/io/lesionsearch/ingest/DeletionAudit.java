package io.lesionsearch.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.audit.AuditRecord;
import io.lesionsearch.audit.AuditTrail;
import io.lesionsearch.qdrant.DeletionListener;
import io.lesionsearch.qdrant.PointOp;

/**
 * Writes one {@link AuditRecord} per applied deletion to the audit trail ({@link AuditTrail}): the
 * image_id or the filter as given, who asked (the message's {@code requested_by}), and the Kafka
 * record it came in as the request id. Never image bytes or payloads. The sink calls it once Qdrant
 * has acknowledged the delete; a replay deletes again, finds nothing, and is audited again.
 */
final class DeletionAudit implements DeletionListener {
  private static final long serialVersionUID = 1L;

  /** The fields of a deletion's origin (see {@link Deletion#toOp()}). */
  static final String SOURCE = "source";

  static final String REQUESTED_BY = "requested_by";
  static final String IMAGE_ID = "image_id";
  static final String FILTER = "filter";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void deleted(PointOp.Delete deletion, long latencyMs) {
    AuditTrail.write(record(deletion, latencyMs));
  }

  static AuditRecord record(PointOp.Delete deletion, long latencyMs) {
    JsonNode origin;
    try {
      origin = JSON.readTree(deletion.origin());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a deletion's origin is the JSON Deletion made", e);
    }
    return AuditRecord.deletion(
        origin.path(SOURCE).textValue(),
        origin.path(REQUESTED_BY).textValue(),
        origin.path(IMAGE_ID).textValue(),
        origin.path(FILTER).textValue(),
        null,
        latencyMs,
        null);
  }
}
