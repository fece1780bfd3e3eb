package io.lesionsearch.qdrant;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The official client's client-server version check, with the client's version as this build knows
 * it. The client reads its version from its jar's manifest, which the shaded jar does not keep: its
 * own check then warns "Failed to obtain server version" against every server. The rule is the
 * client's: the major versions match and the minor versions differ by at most one. Asynchronous, so
 * opening a connection never waits for it.
 */
final class ServerVersionCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ServerVersionCheck.class);

  /** The io.qdrant:client this build uses (Maven fills it in). */
  static final String CLIENT_VERSION = clientVersion();

  private ServerVersionCheck() {}

  static void check(QdrantGrpcClient grpc, String address) {
    Futures.addCallback(
        grpc.qdrant()
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .healthCheck(HealthCheckRequest.getDefaultInstance()),
        new FutureCallback<HealthCheckReply>() {
          @Override
          public void onSuccess(HealthCheckReply reply) {
            if (compatible(CLIENT_VERSION, reply.getVersion())) {
              LOG.debug(
                  "Qdrant at {} is version {}; client {}",
                  address,
                  reply.getVersion(),
                  CLIENT_VERSION);
            } else {
              LOG.warn(
                  "Qdrant at {} is version {}, which the client {} may not work with (the major versions must"
                      + " match and the minor versions differ by at most one)",
                  address,
                  reply.getVersion(),
                  CLIENT_VERSION);
            }
          }

          @Override
          public void onFailure(Throwable t) {
            // The calls that follow fail with the reason, where it matters.
            LOG.debug("Could not ask Qdrant at {} for its version", address, t);
          }
        },
        MoreExecutors.directExecutor());
  }

  static boolean compatible(String client, String server) {
    int[] c = majorMinor(client);
    int[] s = majorMinor(server);
    return c == null || s == null || (c[0] == s[0] && Math.abs(c[1] - s[1]) <= 1);
  }

  /** Null when it is not of the form x.y[.z]: such a version is not checked. */
  private static int[] majorMinor(String version) {
    String[] parts = version == null ? new String[0] : version.replaceFirst("^v", "").split("\\.");
    try {
      return parts.length < 2
          ? null
          : new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String clientVersion() {
    Properties p = new Properties();
    try (InputStream in =
        ServerVersionCheck.class.getResourceAsStream("/lesion-search/versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("qdrant.client.version", "unknown");
  }
}
