package io.lesionsearch.testing;

import io.lesionsearch.local.EmbeddedKafka;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-JVM Kafka broker for a test class: {@code @RegisterExtension static final KafkaBroker
 * KAFKA = new KafkaBroker();} starts it before the class's {@code @BeforeAll} methods and closes it
 * after its {@code @AfterAll} methods.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

  private EmbeddedKafka kafka;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = new EmbeddedKafka();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  public EmbeddedKafka get() {
    return kafka;
  }
}
