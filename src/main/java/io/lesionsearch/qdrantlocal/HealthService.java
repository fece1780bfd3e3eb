package io.lesionsearch.qdrantlocal;

import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.QdrantGrpc;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckReply;
import io.qdrant.client.grpc.QdrantOuterClass.HealthCheckRequest;

/**
 * Answers the version call (qdrant.Qdrant/HealthCheck) exactly as the Qdrant release it was checked
 * against does (VersionInfo in lib/api/src/rest/models.rs: title, CARGO_PKG_VERSION and the git
 * commit of the build): Qdrant 1.18.3, the release the project pins its client to. The official
 * client compares major.minor with its own version when it is built, and tools that read the answer
 * see the Qdrant whose behaviour this endpoint reproduces. Tell the local endpoint from a real
 * server by its address or its start-up line, not by this answer.
 */
final class HealthService extends QdrantGrpc.QdrantImplBase {
  static final String TITLE = "qdrant - vector search engine";
  static final String VERSION = "1.18.3";

  /** The commit tagged v1.18.3 in qdrant/qdrant. */
  static final String COMMIT = "db8fa43fcb6aedec1e739487e17a99731b74590a";

  @Override
  public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckReply> observer) {
    Rpc.answer(
        observer,
        () ->
            HealthCheckReply.newBuilder()
                .setTitle(TITLE)
                .setVersion(VERSION)
                .setCommit(COMMIT)
                .build());
  }
}
