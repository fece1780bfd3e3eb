package io.lesionsearch.qdrantlocal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Qdrant's API-key check (src/tonic/auth.rs, src/common/auth): the key comes in the {@code api-key}
 * header or as {@code authorization: Bearer <key>}; a missing or wrong key is UNAUTHENTICATED; a
 * read-only key may call only reads (PERMISSION_DENIED "Forbidden: Global manage access is
 * required" otherwise). The health check stays open, as on the server, so clients can probe it
 * before they have a key.
 *
 * <p>For the writes this endpoint implements, a read-only call is let through marked {@link
 * Access#READ_ONLY}, and the service refuses it where Qdrant does (after validating the request
 * and, for point writes, after finding the collection); writes it does not implement are refused
 * here.
 */
final class ApiKeyInterceptor implements ServerInterceptor {
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final Set<String> OPEN =
      Set.of("qdrant.Qdrant/HealthCheck", "grpc.health.v1.Health/Check");

  private static final Set<String> WRITES =
      Set.of(
          "qdrant.Collections/Create",
          "qdrant.Collections/Update",
          "qdrant.Collections/Delete",
          "qdrant.Collections/UpdateAliases",
          "qdrant.Collections/UpdateCollectionClusterSetup",
          "qdrant.Collections/CreateShardKey",
          "qdrant.Collections/DeleteShardKey",
          "qdrant.Points/Upsert",
          "qdrant.Points/Delete",
          "qdrant.Points/UpdateVectors",
          "qdrant.Points/DeleteVectors",
          "qdrant.Points/SetPayload",
          "qdrant.Points/OverwritePayload",
          "qdrant.Points/DeletePayload",
          "qdrant.Points/ClearPayload",
          "qdrant.Points/CreateFieldIndex",
          "qdrant.Points/DeleteFieldIndex",
          "qdrant.Points/UpdateBatch",
          "qdrant.Points/CreateVectorName",
          "qdrant.Points/DeleteVectorName");

  /** Writes whose services check {@link Access#requireWrite} themselves, in Qdrant's order. */
  private static final Set<String> CHECKED_IN_SERVICE =
      Set.of(
          "qdrant.Collections/Create",
          "qdrant.Collections/Delete",
          "qdrant.Points/Upsert",
          "qdrant.Points/Delete",
          "qdrant.Points/CreateFieldIndex",
          "qdrant.Points/DeleteFieldIndex");

  private final byte[] key;
  private final byte[] readOnlyKey;

  ApiKeyInterceptor(String key, String readOnlyKey) {
    this.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    this.readOnlyKey = readOnlyKey == null ? null : readOnlyKey.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (OPEN.contains(method)) {
      return next.startCall(call, headers);
    }
    String presented = headers.get(API_KEY);
    if (presented == null) {
      String auth = headers.get(AUTHORIZATION);
      if (auth != null && auth.startsWith("Bearer ")) {
        presented = auth.substring("Bearer ".length());
      }
    }
    Status refusal;
    if (presented == null) {
      refusal =
          Status.UNAUTHENTICATED.withDescription(
              "Must provide an API key or an Authorization bearer token");
    } else {
      byte[] p = presented.getBytes(StandardCharsets.UTF_8);
      if (key != null && MessageDigest.isEqual(p, key)) {
        return next.startCall(call, headers);
      }
      if (readOnlyKey != null && MessageDigest.isEqual(p, readOnlyKey)) {
        if (!WRITES.contains(method)) {
          return next.startCall(call, headers);
        }
        if (CHECKED_IN_SERVICE.contains(method)) {
          return Contexts.interceptCall(
              Context.current().withValue(Access.READ_ONLY, true), call, headers, next);
        }
        refusal = Access.forbidden().getStatus();
      } else {
        refusal = Status.UNAUTHENTICATED.withDescription("Invalid API key or JWT");
      }
    }
    call.close(refusal, new Metadata());
    return new ServerCall.Listener<Q>() {};
  }
}
