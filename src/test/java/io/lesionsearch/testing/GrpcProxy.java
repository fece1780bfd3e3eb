package io.lesionsearch.testing;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.HandlerRegistry;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A loopback gRPC proxy in front of a Qdrant (real or local) that passes every call through as
 * bytes, with server interceptors of the test's own: so a test can see what a job sends (the points
 * of each upsert, say) whichever server answers.
 */
public final class GrpcProxy implements AutoCloseable {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final ManagedChannel upstream;
  private final Server server;

  private GrpcProxy(ManagedChannel upstream, Server server) {
    this.upstream = upstream;
    this.server = server;
  }

  /** Interceptors see each request message as the bytes of its protobuf. */
  public static GrpcProxy to(String host, int port, ServerInterceptor... interceptors) {
    ManagedChannel upstream =
        Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .build();
    HandlerRegistry registry =
        new HandlerRegistry() {
          @Override
          public ServerMethodDefinition<?, ?> lookupMethod(String method, String authority) {
            MethodDescriptor<byte[], byte[]> descriptor =
                MethodDescriptor.newBuilder(BYTES, BYTES)
                    .setFullMethodName(method)
                    .setType(MethodDescriptor.MethodType.UNKNOWN)
                    .build();
            ServerServiceDefinition service =
                ServerServiceDefinition.builder(MethodDescriptor.extractFullServiceName(method))
                    .addMethod(descriptor, new Forward(upstream, descriptor))
                    .build();
            return ServerInterceptors.intercept(service, interceptors).getMethod(method);
          }
        };
    try {
      Server server =
          Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
              .fallbackHandlerRegistry(registry)
              .maxInboundMessageSize(Integer.MAX_VALUE)
              .build()
              .start();
      return new GrpcProxy(upstream, server);
    } catch (IOException e) {
      upstream.shutdownNow();
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** One call: the client's headers and messages go up, the server's come back. */
  private record Forward(ManagedChannel upstream, MethodDescriptor<byte[], byte[]> method)
      implements ServerCallHandler<byte[], byte[]> {

    @Override
    public ServerCall.Listener<byte[]> startCall(
        ServerCall<byte[], byte[]> call, Metadata headers) {
      ClientCall<byte[], byte[]> up = upstream.newCall(method, CallOptions.DEFAULT);
      up.start(
          new ClientCall.Listener<>() {
            @Override
            public void onHeaders(Metadata h) {
              call.sendHeaders(h);
            }

            @Override
            public void onMessage(byte[] message) {
              call.sendMessage(message);
              up.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              call.close(status, trailers);
            }
          },
          headers);
      up.request(1);
      call.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          up.sendMessage(message);
          call.request(1);
        }

        @Override
        public void onHalfClose() {
          up.halfClose();
        }

        @Override
        public void onCancel() {
          up.cancel("the client cancelled", null);
        }
      };
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    upstream.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      upstream.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
