package io.lesionsearch.query;

import org.apache.flink.api.common.functions.MapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every reply on its way out to the logger {@value #LOGGER}, one JSON line per answered
 * request: request id, status, query kinds, filters, result ids and scores, latency, error code.
 * Never the image or the query vector. Route the logger to its own file or shipper in the log
 * configuration; the local mode sends it to a file of its own ({@code local.LocalLogs}).
 */
public final class AuditLog implements MapFunction<Reply, Reply> {
  public static final String LOGGER = "lesion-search.audit";
  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

  @Override
  public Reply map(Reply reply) {
    AUDIT.info(reply.audit());
    return reply;
  }
}
