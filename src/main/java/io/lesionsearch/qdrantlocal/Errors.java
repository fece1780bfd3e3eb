package io.lesionsearch.qdrantlocal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The status codes and message texts Qdrant answers with, kept in one place so the wording matches
 * the server (lib/storage/src/content_manager/errors.rs, collections_ops.rs, src/tonic/api/mod.rs).
 */
final class Errors {
  private Errors() {}

  static StatusRuntimeException invalidArgument(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  /** One request validation failure, worded like Qdrant's validator output; see Validation. */
  static StatusRuntimeException validation(String field, String problem) {
    return invalidArgument("Validation error in body: [" + field + ": " + problem + "]");
  }

  /** CollectionError::BadRequest, which Qdrant answers as INVALID_ARGUMENT "Bad request: ...". */
  static StatusRuntimeException badRequest(String description) {
    return invalidArgument("Bad request: " + description);
  }

  static StatusRuntimeException wrongInput(String description) {
    return invalidArgument("Wrong input: " + description);
  }

  static StatusRuntimeException collectionNotFound(String name) {
    return Status.NOT_FOUND
        .withDescription("Not found: Collection `" + name + "` doesn't exist!")
        .asRuntimeException();
  }

  static StatusRuntimeException notFound(String description) {
    return Status.NOT_FOUND.withDescription("Not found: " + description).asRuntimeException();
  }

  static StatusRuntimeException collectionExists(String name) {
    return Status.ALREADY_EXISTS
        .withDescription("Wrong input: Collection `" + name + "` already exists!")
        .asRuntimeException();
  }

  static StatusRuntimeException pointNotFound(PointKey id) {
    return Status.NOT_FOUND
        .withDescription("Not found: No point with id " + id + " found")
        .asRuntimeException();
  }

  static StatusRuntimeException dimension(int expected, int got) {
    return wrongInput("Vector dimension error: expected dim: " + expected + ", got " + got);
  }

  /**
   * A feature real Qdrant has but this endpoint does not: refused rather than answered
   * approximately, so a caller never mistakes a partial answer for Qdrant's.
   */
  static StatusRuntimeException unsupported(String feature) {
    return invalidArgument(
        "qdrant-local does not support " + feature + "; use a real Qdrant server for this");
  }

  static StatusRuntimeException unimplementedRpc(String rpc) {
    return Status.UNIMPLEMENTED
        .withDescription(
            "qdrant-local does not implement " + rpc + "; use a real Qdrant server for this")
        .asRuntimeException();
  }
}
