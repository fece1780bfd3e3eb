package io.lesionsearch.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes audit records, one JSON line each, to the logger {@value #LOGGER}. Route that logger to
 * its own file or shipper in the log configuration; the local mode sends it to {@code audit.jsonl}
 * ({@code local.LocalLogs}).
 */
public final class AuditTrail {

  public static final String LOGGER = "lesion-search.audit";

  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditTrail() {}

  public static void write(AuditRecord record) {
    AUDIT.info(line(record));
  }

  /** The record as its audit line: one line of JSON. */
  public static String line(AuditRecord record) {
    try {
      return JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an audit record always serialises", e);
    }
  }
}
