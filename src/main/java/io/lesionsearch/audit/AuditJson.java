package io.lesionsearch.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.kafka.BoundedText;

/** Client JSON made safe to write into an audit line as it is. */
public final class AuditJson {

  /** A filter is kept as JSON up to this size, and as a string of its start beyond it. */
  public static final int MAX_FILTER_CHARS = 4000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditJson() {}

  /**
   * {@code json} itself when it is JSON of at most {@value #MAX_FILTER_CHARS} characters; otherwise
   * a JSON string of its bounded start, so that the line stays valid JSON and bounded.
   */
  public static String filter(String json) {
    if (json.length() <= MAX_FILTER_CHARS) {
      try {
        return JSON.writeValueAsString(JSON.readTree(json));
      } catch (JsonProcessingException e) {
        // not JSON: written as a string below
      }
    }
    try {
      return JSON.writeValueAsString(BoundedText.of(json, MAX_FILTER_CHARS));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a string always serialises", e);
    }
  }
}
