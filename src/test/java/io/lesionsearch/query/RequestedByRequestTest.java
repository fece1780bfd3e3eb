package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lesionsearch.audit.AuditTrail;
import io.lesionsearch.kafka.DeadLetter;
import io.lesionsearch.kafka.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** requested_by on search requests: read, checked, and carried into the audit record. */
class RequestedByRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VECTOR = "{\"vector\": [0.1, 0.2, 0.3]}";
  private final RequestParser parser = new RequestParser(3, 1 << 20);

  @Test
  void aSingleAndABatchRequestCarryWhoAskedAndNoneIsNull() throws Exception {
    assertEquals(
        "dr.k@clinic",
        parse("{\"requested_by\": \"dr.k@clinic\", \"query\": " + VECTOR + "}").requestedBy());
    assertEquals(
        "svc:triage",
        parse(
                "{\"requested_by\": \"svc:triage\", \"searches\": [{\"query\": "
                    + VECTOR
                    + "}, {\"query\": {\"image_id\": \"ISIC_1\"}}]}")
            .requestedBy());
    assertNull(parse("{\"query\": " + VECTOR + "}").requestedBy());
    assertNull(parse("{\"requested_by\": null, \"query\": " + VECTOR + "}").requestedBy());
  }

  @Test
  void anInvalidRequestedByIsRefusedWithItsOwnCodeAndNotEchoed() throws Exception {
    String tooLong = "u".repeat(5000);
    for (String value :
        List.of(
            "\"\"",
            "\"" + tooLong + "\"",
            "\"alice\\n{\\\"action\\\":\\\"delete\\\"}\"",
            "\"alice\\u202Eevil\"",
            "42",
            "[\"alice\"]")) {
      QueryException e =
          assertThrows(
              QueryException.class,
              () -> parse("{\"requested_by\": " + value + ", \"query\": " + VECTOR + "}"),
              value);
      assertEquals(ErrorCode.INVALID_REQUESTED_BY, e.code(), value);
      assertFalse(e.getMessage().contains("uuuuuuuu"), e.getMessage());
      assertFalse(e.getMessage().contains("alice"), e.getMessage());
    }
  }

  @Test
  void aRefusedRequestIsAnsweredAndItsAuditLineSaysWhoAskedWhenThatWasValid() throws Exception {
    Reply refused =
        onlyErrorReply(
            "{\"request_id\": \"r-1\", \"requested_by\": \"dr.k\", \"query\": {\"text\": \"x\"}}");
    JsonNode reply = JSON.readTree(refused.json());
    assertEquals("UNKNOWN_QUERY_KIND", reply.at("/error/code").asText());
    assertFalse(reply.has("requested_by"), "the reply is the client's own; who asked is audit");
    JsonNode audit = JSON.readTree(AuditTrail.line(refused.audit()));
    assertEquals("dr.k", audit.get("requested_by").asText());
    assertEquals("r-1", audit.get("request_id").asText());

    Reply invalid =
        onlyErrorReply(
            "{\"request_id\": \"r-2\", \"requested_by\": \"a\\u0000b\", \"query\": "
                + VECTOR
                + "}");
    assertEquals("INVALID_REQUESTED_BY", JSON.readTree(invalid.json()).at("/error/code").asText());
    assertTrue(JSON.readTree(AuditTrail.line(invalid.audit())).get("requested_by").isNull());
  }

  @Test
  void theAuditLineOfAnImageSearchHasWhoAskedButNotTheImage() throws Exception {
    byte[] image = new byte[3000];
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) (i * 31 + 7);
    }
    String base64 = Base64.getEncoder().encodeToString(image);
    SearchRequest request =
        parse(
            "{\"requested_by\": \"dr.k\", \"query\": {\"image\": \""
                + base64
                + "\"}, \"filter\": {\"must\": [{\"key\": \"sex\", \"match\": {\"value\": \"female\"}}]}}");
    for (Reply reply :
        List.of(
            Replies.ok(request, List.of(SearchResult.ofHits(List.of()))),
            Replies.error(request, ErrorCode.TIMEOUT, "late"))) {
      String line = AuditTrail.line(reply.audit());
      assertFalse(line.contains(base64.substring(1000, 1040)), line);
      JsonNode json = JSON.readTree(line);
      assertEquals("dr.k", json.get("requested_by").asText());
      assertEquals("image", json.at("/searches/0/kind").asText());
      assertEquals("female", json.at("/searches/0/filter/must/0/match/value").asText());
    }
  }

  private SearchRequest parse(String json) throws Exception {
    return parser.parse("r", JSON.readTree(json), 0);
  }

  private Reply onlyErrorReply(String value) throws Exception {
    OutputTag<Reply> errors = new OutputTag<>("errors", TypeInformation.of(Reply.class));
    OutputTag<DeadLetter> dead = new OutputTag<>("dead", TypeInformation.of(DeadLetter.class));
    try (OneInputStreamOperatorTestHarness<SourceRecord, SearchRequest> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(new ParseRequests(parser, errors, dead))) {
      harness.processElement(
          new SourceRecord("requests", 0, 1, null, value.getBytes(StandardCharsets.UTF_8)), 0);
      assertTrue(harness.extractOutputValues().isEmpty());
      List<Reply> replies = new ArrayList<>();
      harness.getSideOutput(errors).forEach(r -> replies.add(((StreamRecord<Reply>) r).getValue()));
      assertEquals(1, replies.size());
      return replies.get(0);
    }
  }
}
