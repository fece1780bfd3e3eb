package io.lesionsearch.kafka;

import java.io.Serializable;

/**
 * A Kafka record exactly as it arrived: the untouched key and value bytes travel with every stage
 * so a record that fails anywhere can be dead-lettered as it was sent, with where it came from.
 */
public record SourceRecord(String topic, int partition, long offset, byte[] key, byte[] value)
    implements Serializable {

  public String where() {
    return topic + "-" + partition + "@" + offset;
  }
}
