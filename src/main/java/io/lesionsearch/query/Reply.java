package io.lesionsearch.query;

import io.lesionsearch.audit.AuditRecord;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A reply ready to send: the message for the replies topic, and its audit record, which records
 * what was asked and answered but never the image.
 */
public record Reply(String requestId, byte[] json, AuditRecord audit) implements Serializable {

  /** What the replies topic takes of it: the request_id as key, and the JSON. */
  public int sizeInBytes() {
    return requestId.getBytes(StandardCharsets.UTF_8).length + json.length;
  }
}
