package io.lesionsearch.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The in-JVM broker really stores and serves records. */
class EmbeddedKafkaITCase {
  @Test
  void producesAndConsumes() throws Exception {
    try (EmbeddedKafka kafka = new EmbeddedKafka()) {
      kafka.createTopic("t", 2);
      kafka.send("t", "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      var records = kafka.read("t", 1, 20_000);
      assertEquals(1, records.size());
      assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), records.get(0).value());
    }
  }
}
