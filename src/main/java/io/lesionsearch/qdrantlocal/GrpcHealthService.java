package io.lesionsearch.qdrantlocal;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The standard gRPC health check (grpc.health.v1.Health/Check), which Qdrant serves beside its own
 * (src/tonic/mod.rs HealthService, for probes such as Kubernetes' grpc liveness check): it answers
 * SERVING whatever service is asked about, and needs no API key. The messages are tiny and fixed,
 * so they are read and written as bytes rather than with generated classes the project does not
 * otherwise need.
 */
final class GrpcHealthService {
  static final String SERVICE = "grpc.health.v1.Health";

  /** HealthCheckResponse { status: SERVING (1) }: field 1, varint. */
  private static final byte[] SERVING = {0x08, 0x01};

  private GrpcHealthService() {}

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

  static final MethodDescriptor<byte[], byte[]> CHECK =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Check"))
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  static ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            CHECK,
            ServerCalls.asyncUnaryCall(
                (request, observer) -> {
                  observer.onNext(SERVING);
                  observer.onCompleted();
                }))
        .build();
  }
}
