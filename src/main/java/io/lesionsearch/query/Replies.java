package io.lesionsearch.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.ScoredPoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds replies and their audit lines. A single search is answered with {@code hits}; a batch
 * ({@code searches}) with {@code results}, one {@code {"hits": [...]}} per search, in request order.
 */
public final class Replies {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Long enough for any message of ours; short enough that no echo of a request's content grows large. */
  private static final int MAX_MESSAGE_CHARS = 500;

  private Replies() {}

  public static Reply ok(SearchRequest request, List<List<ScoredPoint>> results) {
    long took = System.currentTimeMillis() - request.receivedAtMillis();
    ObjectNode reply = JSON.createObjectNode().put("request_id", request.requestId()).put("status", "ok").put("took_ms", took);
    ObjectNode audit = auditBase(request.requestId(), "ok", request.searches(), took);
    ArrayNode auditResults = audit.putArray("results");
    ArrayNode batch = request.batch() ? reply.putArray("results") : null;
    for (int i = 0; i < results.size(); i++) {
      SearchSpec spec = request.searches().get(i);
      ArrayNode hits = request.batch() ? batch.addObject().putArray("hits") : reply.putArray("hits");
      ArrayNode auditHits = auditResults.addArray();
      for (ScoredPoint p : results.get(i)) {
        ObjectNode hit = hit(p, spec);
        hits.add(hit);
        ObjectNode logged = auditHits.addObject().put("id", hit.get("id").asText());
        logged.set("image_id", hit.get("image_id"));
        logged.put("score", p.getScore());
      }
    }
    return new Reply(request.requestId(), bytes(reply), audit.toString());
  }

  public static Reply error(SearchRequest request, ErrorCode code, String message) {
    return error(request.requestId(), request.receivedAtMillis(), request.searches(), code, message);
  }

  /** @param searches what could be read of the request, for the audit log; empty when nothing could */
  public static Reply error(
      String requestId, long receivedAtMillis, List<SearchSpec> searches, ErrorCode code, String message) {
    long took = System.currentTimeMillis() - receivedAtMillis;
    String shortMessage = message == null ? code.name()
        : message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
    ObjectNode reply = JSON.createObjectNode().put("request_id", requestId).put("status", "error");
    reply.putObject("error").put("code", code.name()).put("message", shortMessage);
    ObjectNode audit = auditBase(requestId, "error", searches, took);
    audit.putObject("error").put("code", code.name()).put("message", shortMessage);
    return new Reply(requestId, bytes(reply), audit.toString());
  }

  private static ObjectNode hit(ScoredPoint p, SearchSpec spec) {
    ObjectNode hit = JSON.createObjectNode();
    hit.put("id", id(p.getId()));
    Value imageId = p.getPayloadMap().get(RequestParser.IMAGE_ID);
    if (imageId != null && imageId.hasStringValue()) {
      hit.put("image_id", imageId.getStringValue());
    } else {
      hit.putNull("image_id");
    }
    hit.put("score", p.getScore());
    if (spec.showPayload()) {
      Map<String, Value> payload = p.getPayloadMap();
      if (spec.hideImageId()) {
        payload = new HashMap<>(payload);
        payload.remove(RequestParser.IMAGE_ID);
      }
      hit.set("payload", PayloadJson.object(payload));
    }
    return hit;
  }

  static String id(PointId id) {
    return id.hasUuid() ? id.getUuid() : Long.toUnsignedString(id.getNum());
  }

  /** What was asked, without the query itself: the kind, never the image bytes or the vector. */
  private static ObjectNode auditBase(String requestId, String status, List<SearchSpec> searches, long took) {
    ObjectNode audit = JSON.createObjectNode().put("request_id", requestId).put("status", status).put("took_ms", took);
    ArrayNode asked = audit.putArray("searches");
    for (SearchSpec s : searches) {
      ObjectNode o = asked.addObject().put("kind", s.kind().key());
      if (s.kind() == QueryKind.IMAGE_ID) {
        o.put("image_id", s.imageId());
      }
      o.set("filter", s.filterJson() == null ? null : parsed(s.filterJson()));
    }
    return audit;
  }

  private static JsonNode parsed(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(json);
    }
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
