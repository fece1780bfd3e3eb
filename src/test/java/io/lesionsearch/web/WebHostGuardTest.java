package io.lesionsearch.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Host and Origin checks: the rules on their own, then on the real server over raw HTTP
 * (java.net.http will not send a Host of the test's choosing).
 */
class WebHostGuardTest {

  private final HeldBackend backend = new HeldBackend();
  private WebServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void onLoopbackTheLoopbackNamesAndTheAllowedHostsAreServedAndNoOtherName() throws Exception {
    HostGuard guard = new HostGuard("127.0.0.1", List.of("Lesions.Example.org"));
    for (String host :
        List.of(
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "localhost.:8080",
            "[::1]:8080",
            "[0:0:0:0:0:0:0:1]",
            "lesions.example.org",
            "lesions.example.org:443")) {
      guard.check("GET", host, null);
    }
    for (String host :
        List.of(
            "attacker.example:8080",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "10.0.0.5:8080",
            "",
            "localhost:http",
            "[evil]:8080",
            "999.1.1.1")) {
      WebError e = assertThrows(WebError.class, () -> guard.check("GET", host, null), host);
      assertEquals(421, e.status());
      assertEquals("HOST_NOT_ALLOWED", e.code());
    }
    guard.check("GET", null, null); // no Host: no browser sent it
  }

  @Test
  void onEveryInterfaceAnyAddressIsServedButOnlyTheNamesGiven() throws Exception {
    HostGuard any = new HostGuard("0.0.0.0", List.of("lesions.example.org"));
    for (String host :
        List.of(
            "10.0.0.5:8080",
            "192.168.1.20",
            "[fe80::1]:8080",
            "localhost:8080",
            "lesions.example.org")) {
      any.check("GET", host, null);
    }
    assertThrows(WebError.class, () -> any.check("GET", "attacker.example", null));
    HostGuard one = new HostGuard("10.0.0.5", List.of());
    one.check("GET", "10.0.0.5:8080", null);
    assertThrows(
        WebError.class,
        () -> one.check("GET", "localhost:8080", null),
        "not reachable there by loopback");
    assertThrows(WebError.class, () -> one.check("GET", "10.0.0.6:8080", null));
  }

  @Test
  void aPostIsAcceptedFromThePagesOwnOriginOrAnAllowedHostOnly() throws Exception {
    HostGuard guard = new HostGuard("127.0.0.1", List.of("lesions.example.org"));
    guard.check("POST", "127.0.0.1:8080", "http://127.0.0.1:8080");
    guard.check("POST", "localhost:8080", "http://localhost:8080");
    guard.check("POST", "localhost", "http://localhost");
    guard.check(
        "POST",
        "127.0.0.1:8080",
        "https://lesions.example.org"); // behind a TLS proxy that rewrote Host
    guard.check("POST", "127.0.0.1:8080", null); // curl and scripts send none
    guard.check("GET", "127.0.0.1:8080", "http://attacker.example"); // reading is not forgery
    for (String origin :
        List.of(
            "http://attacker.example",
            "http://127.0.0.1:9999",
            "http://localhost:8080",
            "null",
            "file://",
            "ftp://127.0.0.1:8080",
            "http://127.0.0.1")) {
      WebError e =
          assertThrows(WebError.class, () -> guard.check("POST", "127.0.0.1:8080", origin), origin);
      assertEquals(403, e.status());
      assertEquals("ORIGIN_NOT_ALLOWED", e.code());
    }
  }

  @Test
  void anAllowedHostIsANameOrAddressOnly() {
    WebConfig config = WebConfig.defaults();
    assertEquals(
        List.of("lesions.example.org", "[::1]"),
        WebConfigs.withAllowedHosts(config, List.of(" Lesions.Example.ORG ", "[::1]"))
            .allowedHosts());
    for (String bad :
        List.of(
            "http://lesions.example.org",
            "lesions.example.org:443",
            "lesions.example.org/x",
            "",
            "a b")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> WebConfigs.withAllowedHosts(config, List.of(bad)),
              bad);
      assertTrue(
          e.getMessage().startsWith("--allowed-host takes a host name or IP address"),
          e.getMessage());
    }
  }

  @Test
  void theServerRefusesAForeignHostForThePageAndTheApiAndAForeignOriginsSearch() throws Exception {
    server =
        WebServer.start(
            backend,
            WebConfigs.withAllowedHosts(
                WebConfigs.of("127.0.0.1", 0, 100_000, 1000, Duration.ofSeconds(30)),
                List.of("lesions.example.org")));
    int port = server.port();
    assertEquals(200, get("/", "localhost:" + port).status());
    assertEquals(200, get("/api/vocabulary", "lesions.example.org").status());
    for (String path : List.of("/", "/app.js", "/api/vocabulary")) {
      GatewayHttp.Raw refused = get(path, "attacker.example:" + port);
      assertEquals(421, refused.status(), path);
      assertEquals("HOST_NOT_ALLOWED", refused.errorCode());
      assertTrue(
          refused
              .json()
              .at("/error/message")
              .asText()
              .contains("\"attacker.example:" + port + "\""),
          refused.body());
    }

    GatewayHttp.Raw forged = search("127.0.0.1:" + port, "http://attacker.example");
    assertEquals(403, forged.status());
    assertEquals("ORIGIN_NOT_ALLOWED", forged.errorCode());
    assertNull(backend.poll(), "a forged search never reaches the backend");

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      sendSearch(socket, "127.0.0.1:" + port, "http://127.0.0.1:" + port);
      backend.next().answer();
      assertEquals(200, GatewayHttp.read(socket).status(), "the page's own search");
    }
  }

  private GatewayHttp.Raw get(String path, String host) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      GatewayHttp.send(
          socket,
          "GET " + path + " HTTP/1.1\nHost: " + host + "\nConnection: close\n",
          new byte[0]);
      return GatewayHttp.read(socket);
    }
  }

  private GatewayHttp.Raw search(String host, String origin) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      sendSearch(socket, host, origin);
      return GatewayHttp.read(socket);
    }
  }

  private static void sendSearch(Socket socket, String host, String origin) throws Exception {
    byte[] body = GatewayHttp.form("ISIC_1", null);
    GatewayHttp.send(
        socket,
        "POST /api/search HTTP/1.1\nHost: "
            + host
            + "\nOrigin: "
            + origin
            + "\nContent-Type: multipart/form-data; boundary="
            + GatewayHttp.BOUNDARY
            + "\nContent-Length: "
            + body.length
            + "\n",
        body);
  }
}
