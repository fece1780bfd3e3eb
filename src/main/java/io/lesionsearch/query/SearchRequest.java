package io.lesionsearch.query;

import java.io.Serializable;
import java.util.List;

/**
 * A readable search request.
 *
 * @param batch whether it came as {@code "searches": [...]}, which is answered with one result list
 *     per search
 * @param receivedAtMillis when the job read it, the start of the reply's {@code took_ms}
 * @param requestedBy the user or service it was made for, for the audit trail; null when it named
 *     none
 */
public record SearchRequest(
    String requestId,
    List<SearchSpec> searches,
    boolean batch,
    long receivedAtMillis,
    String requestedBy)
    implements Serializable {}
