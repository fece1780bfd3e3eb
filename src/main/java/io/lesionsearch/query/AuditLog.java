package io.lesionsearch.query;

import io.lesionsearch.audit.AuditTrail;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Writes every reply's audit record to the audit trail on its way out: one line per answered
 * request, before the reply is sent.
 */
public final class AuditLog implements MapFunction<Reply, Reply> {
  /** The audit trail's logger, {@link AuditTrail#LOGGER}. */
  public static final String LOGGER = AuditTrail.LOGGER;

  @Override
  public Reply map(Reply reply) {
    AuditTrail.write(reply.audit());
    return reply;
  }
}
