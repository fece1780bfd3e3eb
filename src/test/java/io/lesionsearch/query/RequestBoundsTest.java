package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.audit.AuditRecord;
import io.lesionsearch.audit.AuditTrail;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/**
 * What bounds a request and its reply, whatever the request holds: request_ids, caps on image
 * searches and hits, filter depth, and the size of every reply.
 */
class RequestBoundsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VECTOR = "{\"vector\": [" + "0.1,".repeat(3) + "0.1]}";
  private final RequestParser parser = new RequestParser(4, 1000, 2, 2000);
  private final OutputTag<Reply> errors =
      new OutputTag<>("errors", TypeInformation.of(Reply.class));
  private final OutputTag<DeadLetter> dead =
      new OutputTag<>("dead", TypeInformation.of(DeadLetter.class));

  @Test
  void anOverLongRequestIdIsRefusedUnderAShortenedIdThatFitsAnyReply() throws Exception {
    String id = "r-" + "é".repeat(3_000_000);
    JsonNode reply =
        onlyErrorReply(null, "{\"request_id\": \"" + id + "\", \"query\": " + VECTOR + "}");
    String shortened = reply.get("request_id").asText();
    assertEquals(RequestIds.shortened(id), shortened);
    assertTrue(shortened.startsWith("r-éé") && shortened.length() < 100, shortened);
    assertEquals("INVALID_REQUEST", reply.at("/error/code").asText());
    assertTrue(reply.at("/error/message").asText().contains("over the limit of 256"));
  }

  @Test
  void anOverLongKafkaKeyOfAnUnreadableRequestIsShortenedToo() throws Exception {
    String key = "k".repeat(2_000_000);
    JsonNode reply = onlyErrorReply(key, "{not json");
    assertEquals(RequestIds.shortened(key), reply.get("request_id").asText());
    assertEquals("MALFORMED_JSON", reply.at("/error/code").asText());
  }

  @Test
  void aRequestIdOfTheWrongTypeIsNotEchoed() throws Exception {
    JsonNode reply =
        onlyErrorReply(
            "key-1",
            "{\"request_id\": {\"x\": \""
                + "s".repeat(100_000)
                + "\"}, \"query\": "
                + VECTOR
                + "}");
    assertEquals("key-1", reply.get("request_id").asText());
    assertFalse(reply.at("/error/message").asText().contains("sss"));
  }

  @Test
  void imageSearchesAndHitsPerRequestAreCapped() throws Exception {
    String image = "{\"image\": \"AAAA\"}";
    QueryException images =
        assertThrows(
            QueryException.class,
            () ->
                parse(
                    "{\"searches\": ["
                        + ("{\"query\": " + image + "},").repeat(2)
                        + "{\"query\": "
                        + image
                        + "}]}"));
    assertEquals(ErrorCode.INVALID_REQUEST, images.code());
    assertTrue(images.getMessage().contains("at most 2 image searches"), images.getMessage());

    QueryException hits =
        assertThrows(
            QueryException.class,
            () ->
                parse(
                    "{\"searches\": ["
                        + ("{\"query\": " + VECTOR + ", \"limit\": 1000},").repeat(2)
                        + "{\"query\": "
                        + VECTOR
                        + ", \"limit\": 1}]}"));
    assertEquals(ErrorCode.LIMIT_OUT_OF_RANGE, hits.code());
    for (String offset : new String[] {"1001", "9223372036854775807", "1e300"}) {
      QueryException e =
          assertThrows(
              QueryException.class,
              () ->
                  parse(
                      "{\"searches\": ["
                          + ("{\"query\": " + VECTOR + ", \"offset\": " + offset + "},").repeat(99)
                          + "{\"query\": "
                          + VECTOR
                          + "}]}"),
              offset);
      assertTrue(
          e.code() == ErrorCode.LIMIT_OUT_OF_RANGE || e.code() == ErrorCode.INVALID_REQUEST,
          offset + ": " + e.code());
    }
    assertEquals(
        2,
        parse(
                "{\"searches\": [{\"query\": "
                    + VECTOR
                    + ", \"limit\": 1000, \"offset\": 500},"
                    + " {\"query\": "
                    + VECTOR
                    + ", \"limit\": 500}]}")
            .searches()
            .size(),
        "2000 hits in all is allowed");
  }

  @Test
  void filtersNestAtMostMaxDepth() throws Exception {
    assertEquals(
        ErrorCode.INVALID_FILTER,
        assertThrows(
                QueryException.class,
                () -> FilterJson.parse(JSON.readTree(nested(FilterJson.MAX_DEPTH + 1)), "filter"))
            .code());
    assertEquals(
        ErrorCode.INVALID_FILTER,
        assertThrows(
                QueryException.class, () -> FilterJson.parse(JSON.readTree(nested(200)), "filter"))
            .code());
    FilterJson.parse(JSON.readTree(nested(FilterJson.MAX_DEPTH)), "filter");
  }

  @Test
  void aReplyOverTheLimitBecomesReplyTooLargeAndKeepsItsAudit() throws Exception {
    Reply big =
        new Reply(
            "r-1",
            ("{\"request_id\": \"r-1\", \"status\": \"ok\", \"hits\": [\""
                    + "h".repeat(10_000)
                    + "\"]}")
                .getBytes(StandardCharsets.UTF_8),
            AuditRecord.searchAnswered(
                "r-1",
                "dr.k",
                3,
                List.of(new AuditRecord.Search("vector", null, null)),
                List.of(List.of())),
            1_700_000_000_123L);
    Reply limited = Replies.withinLimit(big, 5000);
    assertEquals(1_700_000_000_123L, limited.receivedAtMillis());
    JsonNode json = JSON.readTree(limited.json());
    assertEquals("REPLY_TOO_LARGE", json.at("/error/code").asText());
    assertTrue(limited.sizeInBytes() < 5000);
    JsonNode audit = JSON.readTree(AuditTrail.line(limited.audit()));
    assertEquals("error", audit.get("outcome").asText());
    assertEquals("REPLY_TOO_LARGE", audit.at("/error/code").asText());
    assertEquals("dr.k", audit.get("requested_by").asText());
    assertEquals(
        "vector", audit.at("/searches/0/kind").asText(), "what was asked stays in the audit");
    assertFalse(audit.has("results"));
    Reply small = new Reply("r-2", "{}".getBytes(StandardCharsets.UTF_8), noAudit("r-2"), 7L);
    assertEquals(small, Replies.withinLimit(small, 5000));
  }

  @Test
  void aReplyTheTopicRefusesStillAnswersItsRequest() throws Exception {
    ReplySerializer serializer = new ReplySerializer("replies");
    var refused = serializer.record(new Reply("r-9", new byte[900_000], noAudit("r-9"), 42L));
    assertEquals(
        "42",
        new String(
            refused.headers().lastHeader(ReplySerializer.RECEIVED_HEADER).value(),
            StandardCharsets.US_ASCII),
        "the reply record says when the job read the request");
    var standIn =
        serializer.standIn(refused, new RecordTooLargeException("The message is 900100 bytes"));
    assertEquals("r-9", new String(standIn.key(), StandardCharsets.UTF_8));
    JsonNode json = JSON.readTree(standIn.value());
    assertEquals("r-9", json.get("request_id").asText());
    assertEquals("REPLY_TOO_LARGE", json.at("/error/code").asText());
  }

  private static String nested(int depth) {
    String filter = "{\"key\": \"dx\", \"match\": {\"value\": \"nv\"}}";
    for (int i = 1; i < depth; i++) {
      filter = "{\"must\": [" + filter + "]}";
    }
    return "{\"must\": [" + filter + "]}";
  }

  private SearchRequest parse(String json) throws Exception {
    return parser.parse("r", JSON.readTree(json), 0);
  }

  private JsonNode onlyErrorReply(String key, String value) throws Exception {
    try (OneInputStreamOperatorTestHarness<SourceRecord, SearchRequest> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(new ParseRequests(parser, errors, dead))) {
      harness.processElement(
          new SourceRecord(
              "requests",
              0,
              1,
              key == null ? null : key.getBytes(StandardCharsets.UTF_8),
              value.getBytes(StandardCharsets.UTF_8)),
          0);
      assertTrue(harness.extractOutputValues().isEmpty());
      assertTrue(harness.getSideOutput(dead) == null || harness.getSideOutput(dead).isEmpty());
      List<Reply> replies = new ArrayList<>();
      harness.getSideOutput(errors).forEach(r -> replies.add(((StreamRecord<Reply>) r).getValue()));
      assertEquals(1, replies.size());
      Reply reply = replies.get(0);
      assertTrue(
          reply.sizeInBytes() < 4096,
          reply.sizeInBytes() + " bytes: every error reply fits the smallest --max-reply-bytes");
      return JSON.readTree(reply.json());
    }
  }

  private static AuditRecord noAudit(String requestId) {
    return AuditRecord.searchFailed(requestId, null, 0, List.of(), "INTERNAL", "test");
  }
}
