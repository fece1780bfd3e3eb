package io.lesionsearch.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The client's compatibility rule, and the client version the build filled in. */
class ServerVersionCheckTest {

  @Test
  void majorVersionsMatchAndMinorVersionsDifferByAtMostOne() {
    assertTrue(ServerVersionCheck.compatible("1.18.3", "1.18.3"));
    assertTrue(ServerVersionCheck.compatible("1.18.3", "v1.17.0"));
    assertTrue(ServerVersionCheck.compatible("1.18.3", "1.19.1"));
    assertFalse(ServerVersionCheck.compatible("1.18.3", "1.16.3"));
    assertFalse(ServerVersionCheck.compatible("1.18.3", "2.18.0"));
    assertTrue(
        ServerVersionCheck.compatible("1.18.3", "dev"), "a version of another form is not judged");
  }

  @Test
  void theClientVersionComesFromTheBuild() {
    assertEquals("1.18.3", ServerVersionCheck.CLIENT_VERSION);
  }
}
