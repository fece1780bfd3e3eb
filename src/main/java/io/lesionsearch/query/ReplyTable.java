package io.lesionsearch.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.lesionsearch.payload.LesionPayload;
import java.io.PrintWriter;

/** A reply as people read it: one ranked table per search (or per group), or the error. */
public final class ReplyTable {

  private static final String ROW = "%4s  %-7s  %-14s  %-30s  %4s  %-7s  %s%n";

  private ReplyTable() {}

  public static void print(JsonNode reply, PrintWriter out) {
    if (!"ok".equals(reply.path("status").asText())) {
      JsonNode error = reply.path("error");
      out.printf(
          "request %s failed: %s: %s%n",
          reply.path("request_id").asText(),
          error.path("code").asText(),
          error.path("message").asText());
      return;
    }
    if (reply.has("results")) {
      int n = 1;
      for (JsonNode result : reply.get("results")) {
        out.printf("search %d of %d:%n", n++, reply.get("results").size());
        result(result, out);
      }
    } else {
      result(reply, out);
    }
    out.printf(
        "in %d ms (request %s)%n",
        reply.path("took_ms").asLong(), reply.path("request_id").asText());
  }

  /** One search's answer: its hits, or for a grouped search one table per group, best first. */
  private static void result(JsonNode result, PrintWriter out) {
    if (!result.has("groups")) {
      hits(result.path("hits"), out);
      return;
    }
    JsonNode groups = result.get("groups");
    if (groups.isEmpty()) {
      out.println("  no groups");
      return;
    }
    int n = 1;
    for (JsonNode group : groups) {
      out.printf("group %d: %s%n", n++, group.path("id").asText());
      hits(group.path("hits"), out);
    }
  }

  private static void hits(JsonNode hits, PrintWriter out) {
    if (hits.isEmpty()) {
      out.println("  no hits");
      return;
    }
    out.printf(ROW, "rank", "score", "image_id", "dx", "age", "sex", "localization");
    int rank = 1;
    for (JsonNode hit : hits) {
      JsonNode p = hit.path("payload");
      out.printf(
          ROW,
          rank++,
          String.format("%.4f", hit.path("score").asDouble()),
          hit.path("image_id").asText("-"),
          p.path(LesionPayload.DX).asText("-"),
          p.has(LesionPayload.AGE) ? p.get(LesionPayload.AGE).asText() : "-",
          p.path(LesionPayload.SEX).asText("-"),
          p.path(LesionPayload.LOCALIZATION).asText("-"));
    }
  }
}
