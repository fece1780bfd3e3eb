package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A search backend whose searches wait until the test answers them, each by hand. */
final class HeldBackend implements SearchBackend {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Held(ObjectNode request, CompletableFuture<JsonNode> reply) {

    /** Answers with an ok reply of one hit. */
    void answer() {
      ObjectNode r =
          JSON.createObjectNode().put("request_id", "r").put("status", "ok").put("took_ms", 1);
      r.putArray("hits")
          .addObject()
          .put("image_id", "ISIC_1")
          .put("score", 0.9)
          .putObject("payload")
          .put("dx", "nv");
      reply.complete(r);
    }
  }

  private final BlockingQueue<Held> searches = new LinkedBlockingQueue<>();

  @Override
  public CompletableFuture<JsonNode> search(ObjectNode request, Duration timeout) {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    searches.add(new Held(request, reply));
    return reply;
  }

  /** The next search that reached the backend; fails the test if none does soon. */
  Held next() throws InterruptedException {
    Held h = searches.poll(10, TimeUnit.SECONDS);
    assertNotNull(h, "a search reached the backend");
    return h;
  }

  /** A search that reached it already, or null: for asserting that one did not. */
  Held poll() {
    return searches.poll();
  }
}
