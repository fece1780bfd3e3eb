package io.lesionsearch.qdrantlocal;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;

/**
 * Answers the health check the official client sends when it is built. The client compares
 * major.minor with its own version (1.18.x) and only logs a warning on a mismatch, but a matching
 * version keeps logs quiet.
 */
final class HealthService extends QdrantGrpc.QdrantImplBase {
  static final String VERSION = "1.18.0";
  static final String TITLE = "qdrant-local - in-memory Qdrant-compatible endpoint (not for production)";

  @Override
  public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> observer) {
    Rpc.answer(observer,
        () -> HealthCheckReply.newBuilder().setTitle(TITLE).setVersion(VERSION).build());
  }
}
