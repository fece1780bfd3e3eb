package io.lesionsearch.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link QdrantUnderTest} of a test class: {@code @RegisterExtension static final QdrantServer
 * QDRANT = new QdrantServer();} starts (or connects) it before the class's {@code @BeforeAll}
 * methods and closes it, dropping the class's collections, after its {@code @AfterAll} methods.
 */
public final class QdrantServer implements BeforeAllCallback, AfterAllCallback {

  private QdrantUnderTest qdrant;

  @Override
  public void beforeAll(ExtensionContext context) {
    qdrant = QdrantUnderTest.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (qdrant != null) {
      qdrant.close();
    }
  }

  public QdrantUnderTest get() {
    return qdrant;
  }
}
