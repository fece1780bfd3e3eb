package io.lesionsearch.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway as its clients meet it: multipart posts through java.net.http, and raw HTTP over a
 * socket.
 */
final class GatewayHttp {

  static final String BOUNDARY = "----lesion-search-test";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private GatewayHttp() {}

  /** A form as the page sends it: an image_id search when {@code image} is null. */
  static byte[] form(String imageId, byte[] image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (imageId != null) {
      write(
          out,
          "--"
              + BOUNDARY
              + "\r\nContent-Disposition: form-data; name=\"image_id\"\r\n\r\n"
              + imageId
              + "\r\n");
    }
    if (image != null) {
      write(
          out,
          "--"
              + BOUNDARY
              + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"lesion.jpg\"\r\n"
              + "Content-Type: image/jpeg\r\n\r\n");
      out.writeBytes(image);
      write(out, "\r\n");
    }
    write(out, "--" + BOUNDARY + "--\r\n");
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  static CompletableFuture<HttpResponse<String>> post(WebServer server, byte[] form) {
    return CLIENT.sendAsync(
        request(server).POST(HttpRequest.BodyPublishers.ofByteArray(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The same, of unknown length to the server (sent chunked). */
  static CompletableFuture<HttpResponse<String>> postChunked(WebServer server, byte[] form) {
    return CLIENT.sendAsync(
        request(server)
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(form)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(WebServer server) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/search"))
        .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY);
  }

  static String errorCode(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body()).at("/error/code").asText();
  }

  /**
   * A response read off a raw socket: status, headers (lower-case names), body, and whether the
   * server closed.
   */
  record Raw(int status, Map<String, String> headers, String body, boolean closed) {

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    String errorCode() throws IOException {
      return json().at("/error/code").asText();
    }
  }

  /**
   * Reads one response: the head, then Content-Length bytes; then whether the server closed the
   * connection.
   */
  static Raw read(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    while (last4 != 0x0D0A0D0A) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a response head; got: " + head);
      }
      head.write(b);
      last4 = (last4 << 8) | b;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1);
    int status = Integer.parseInt(lines[0].split(" ", -1)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    boolean closed;
    try {
      closed = "close".equalsIgnoreCase(headers.get("connection")) && in.read() < 0;
    } catch (java.net.SocketException reset) {
      closed = true;
    }
    return new Raw(status, headers, new String(body, StandardCharsets.UTF_8), closed);
  }

  /**
   * Sends a request head (CRLFs added) and then {@code body}, which may be less than it declares.
   */
  static void send(Socket socket, String head, byte[] body) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write((head.replace("\n", "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }
}
