package io.lesionsearch.query;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A reply ready to send: the message for the replies topic, and its line for the audit log, which
 * records what was asked and answered but never the image.
 */
public record Reply(String requestId, byte[] json, String audit) implements Serializable {

  /** What the replies topic takes of it: the request_id as key, and the JSON. */
  public int sizeInBytes() {
    return requestId.getBytes(StandardCharsets.UTF_8).length + json.length;
  }
}
