package io.lesionsearch.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where the page's searches go: a request in the query job's format (without request_id) in, its
 * reply out. {@code io.lesionsearch.query.SearchClient::search} is the one every deployment uses,
 * so the page goes through the same Kafka topics as any other client.
 */
@FunctionalInterface
public interface SearchBackend {

  /**
   * Completes with the reply, or exceptionally (a {@link java.util.concurrent.TimeoutException}
   * when none came in time).
   */
  CompletableFuture<JsonNode> search(ObjectNode request, Duration timeout);
}
