package io.lesionsearch.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Requests in flight are part of the async operator's checkpoint, and replies cross a network
 * channel after the union: both must survive Flink's own serialisers.
 */
class QueryRecordsSerializationTest {

  @Test
  void aBatchRequestWithImageVectorAndImageIdSearchesRoundTrips() throws Exception {
    RequestParser parser = new RequestParser(3, 1 << 20);
    SearchRequest request =
        parser.parse(
            "r-1",
            new ObjectMapper()
                .readTree(
                    "{\"searches\": ["
                        + "{\"query\": {\"vector\": [1, 2, 3]}, \"filter\": {\"must\": [{\"key\": \"sex\", \"match\": {\"value\": \"female\"}}]}},"
                        + "{\"query\": {\"image_id\": \"ISIC_1\", \"include_self\": true}, \"with_payload\": [\"dx\"]},"
                        + "{\"query\": {\"image\": \"AAECAw==\"}, \"limit\": 3}]}"),
            42L);
    SearchRequest copy = roundTrip(request, SearchRequest.class);
    assertEquals("r-1", copy.requestId());
    assertEquals(42L, copy.receivedAtMillis());
    assertEquals(3, copy.searches().size());
    for (int i = 0; i < 3; i++) {
      SearchSpec a = request.searches().get(i);
      SearchSpec b = copy.searches().get(i);
      assertEquals(a.kind(), b.kind());
      assertArrayEquals(a.searchPoints(), b.searchPoints());
      assertEquals(a.filterJson(), b.filterJson());
      assertEquals(a.imageId(), b.imageId());
      assertEquals(a.includeSelf(), b.includeSelf());
    }
    assertArrayEquals(new float[] {1, 2, 3}, copy.searches().get(0).vector());
    assertArrayEquals(new byte[] {0, 1, 2, 3}, copy.searches().get(2).image());
  }

  @Test
  void aReplyRoundTrips() throws Exception {
    Reply reply =
        Replies.error("r-2", System.currentTimeMillis(), List.of(), ErrorCode.TIMEOUT, "late");
    Reply copy = roundTrip(reply, Reply.class);
    assertEquals(reply.requestId(), copy.requestId());
    assertArrayEquals(reply.json(), copy.json());
    assertEquals(reply.audit(), copy.audit());
  }

  private static <T> T roundTrip(T value, Class<T> type) throws Exception {
    TypeSerializer<T> serializer =
        TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(value, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
