package io.lesionsearch.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lesionsearch.qdrant.DeletionListener;
import io.lesionsearch.qdrant.PointOp;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per applied deletion to the audit logger {@value #LOGGER}: when, the
 * collection, and what the deletion named (the image_id, or the filter as given, cut to 1,024
 * characters). Never image bytes or payloads. The sink calls it once Qdrant has acknowledged the
 * delete; a replay deletes again, finds nothing, and is audited again.
 */
final class DeletionAudit implements DeletionListener {
  private static final long serialVersionUID = 1L;

  /** The query job's audit logger: one trail for reads and erasures. */
  static final String LOGGER = io.lesionsearch.query.AuditLog.LOGGER;

  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String collection;

  DeletionAudit(String collection) {
    this.collection = collection;
  }

  @Override
  public void deleted(PointOp.Delete deletion) {
    AUDIT.info(line(deletion, Instant.now()));
  }

  String line(PointOp.Delete deletion, Instant at) {
    ObjectNode line = JSON.createObjectNode();
    line.put("at", at.toString());
    line.put("action", "delete");
    line.put("collection", collection);
    String origin = deletion.origin();
    int eq = origin.indexOf('=');
    if (eq > 0) {
      line.put(origin.substring(0, eq), origin.substring(eq + 1));
    } else {
      line.put("origin", origin);
    }
    return line.toString();
  }
}
