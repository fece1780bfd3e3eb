package io.lesionsearch.query;

import io.lesionsearch.audit.AuditRecord;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A reply ready to send: the message for the replies topic, and its audit record, which records
 * what was asked and answered but never the image.
 *
 * @param receivedAtMillis when the job read the request (epoch ms), sent beside the reply in the
 *     record header {@link ReplySerializer#RECEIVED_HEADER} so a client can tell Kafka's time from
 *     the job's
 */
public record Reply(String requestId, byte[] json, AuditRecord audit, long receivedAtMillis)
    implements Serializable {

  /** What the replies topic takes of it: the request_id as key, and the JSON. */
  public int sizeInBytes() {
    return requestId.getBytes(StandardCharsets.UTF_8).length + json.length;
  }
}
