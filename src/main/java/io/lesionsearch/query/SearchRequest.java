package io.lesionsearch.query;

import java.io.Serializable;
import java.util.List;

/**
 * A readable search request.
 *
 * @param batch whether it came as {@code "searches": [...]}, which is answered with one result list
 *     per search
 * @param receivedAtMillis when the job read it, the start of the reply's {@code took_ms}
 */
public record SearchRequest(
    String requestId, List<SearchSpec> searches, boolean batch, long receivedAtMillis)
    implements Serializable {}
