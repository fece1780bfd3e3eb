package io.lesionsearch.qdrantlocal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one unary call: its answer, or its error as the gRPC status Qdrant would send. */
final class Rpc {
  private static final Logger LOG = LoggerFactory.getLogger(Rpc.class);

  private Rpc() {}

  static <T> void answer(StreamObserver<T> observer, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    } catch (RuntimeException e) {
      // A bug here must reach the caller as an error, never as an empty or partial answer.
      LOG.error("qdrant-local internal error", e);
      observer.onError(
          Status.INTERNAL
              .withDescription("Service internal error: " + e)
              .withCause(e)
              .asRuntimeException());
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  static <T> void refuse(StreamObserver<T> observer, String rpc) {
    observer.onError(Errors.unimplementedRpc(rpc));
  }

  static double secondsSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
