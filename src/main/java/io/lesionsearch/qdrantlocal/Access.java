package io.lesionsearch.qdrantlocal;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * What the caller's API key allows, for the checks that Qdrant makes inside an operation rather
 * than at the door. Qdrant (lib/storage/src/rbac) checks a read-only key's access where the
 * operation needs it: an upsert into a missing collection is NOT_FOUND and a wrong-sized vector
 * INVALID_ARGUMENT before the read-only key is refused; a request that fails validation is
 * INVALID_ARGUMENT whatever the key. {@link ApiKeyInterceptor} marks the call, the services call
 * {@link #requireWrite} where Qdrant checks.
 */
final class Access {
  /** Set for calls made with the read-only key; absent (false) otherwise. */
  static final Context.Key<Boolean> READ_ONLY = Context.key("qdrant-local-read-only");

  private Access() {}

  /** The refusal Qdrant answers a read-only (global read) key with, for every write. */
  static StatusRuntimeException forbidden() {
    return Status.PERMISSION_DENIED
        .withDescription("Forbidden: Global manage access is required")
        .asRuntimeException();
  }

  static void requireWrite() {
    if (Boolean.TRUE.equals(READ_ONLY.get())) {
      throw forbidden();
    }
  }
}
