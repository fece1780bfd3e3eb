package io.lesionsearch.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;

/**
 * Closes a connection once its answer is written, leaving the rest of a refused request body
 * unread. {@code Connection: close} alone is not enough: Jetty then half-closes and goes on reading
 * and discarding the body for as long as the client sends, which is the work a refusal should
 * spare. The close resets the connection when unread bytes are left. The answer goes out before the
 * reset; Chromium on Linux reads it when its upload fails (75 of 75 tries with 1 to 30 MB), but a
 * client that only looks for an answer after sending everything may report the reset instead
 * (java.net.http did for a few of the 10 MB uploads it sent to a busy server), which is why the
 * page checks sizes itself.
 */
final class UnreadBody {

  private static final String CLOSE = UnreadBody.class.getName() + ".close";

  /** Jetty tells only listeners registered on the connector when an exchange is complete. */
  private static final HttpChannel.Listener CLOSER =
      new HttpChannel.Listener() {
        @Override
        public void onComplete(Request request) {
          if (request.getAttribute(CLOSE) != null) {
            request.getHttpChannel().getEndPoint().close();
          }
        }
      };

  private UnreadBody() {}

  /** Call once the server has started, before it is used. */
  static void install(Javalin app) {
    for (Connector connector : app.jettyServer().server().getConnectors()) {
      connector.addBean(CLOSER);
    }
  }

  static void closeAfterAnswer(Context ctx) {
    ctx.header("Connection", "close");
    ctx.req().setAttribute(CLOSE, true);
  }
}
