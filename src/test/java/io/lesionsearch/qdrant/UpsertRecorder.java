package io.lesionsearch.qdrant;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.qdrant.client.grpc.Points.UpsertPoints;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records the number of points in every upsert request that passes (on a {@link
 * io.lesionsearch.testing.GrpcProxy}, which hands on each message as its protobuf bytes).
 */
final class UpsertRecorder implements ServerInterceptor {
  private final ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();

  List<Integer> sizes() {
    return new ArrayList<>(sizes);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (!call.getMethodDescriptor().getFullMethodName().equals("qdrant.Points/Upsert")) {
      return listener;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(listener) {
      @Override
      public void onMessage(Q message) {
        try {
          sizes.add(UpsertPoints.parseFrom((byte[]) message).getPointsCount());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new IllegalStateException("not an upsert request", e);
        }
        super.onMessage(message);
      }
    };
  }
}
