package io.lesionsearch.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The searches awaiting a reply, by request_id. Once failed (the replies can no longer be read, or
 * the client closed) it fails every waiting search and every later one with the same cause.
 */
final class PendingReplies {

  private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private volatile RuntimeException failure;

  /**
   * @return false when a search with this id is already waiting
   */
  boolean add(String requestId, CompletableFuture<JsonNode> reply) {
    if (waiting.putIfAbsent(requestId, reply) != null) {
      return false;
    }
    var unused = reply.whenComplete((r, e) -> waiting.remove(requestId, reply));
    // Checked after the put: failAll sets the failure before it walks the map, so a search added
    // while it walks is failed by one side or the other.
    RuntimeException cause = failure;
    if (cause != null) {
      reply.completeExceptionally(cause);
    }
    return true;
  }

  void complete(String requestId, JsonNode reply) {
    CompletableFuture<JsonNode> f = waiting.remove(requestId);
    if (f != null) {
      f.complete(reply);
    }
  }

  /** The first cause wins; later calls only fail what is still waiting. */
  synchronized void failAll(RuntimeException cause) {
    if (failure == null) {
      failure = cause;
    }
    waiting.values().forEach(f -> f.completeExceptionally(failure));
  }

  /** Null while searches can still be answered. */
  RuntimeException failure() {
    return failure;
  }

  int size() {
    return waiting.size();
  }
}
