package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.Map;

/**
 * One top-level payload key's values laid out by slot, so that a filter over many points reads a
 * sequential array instead of each point's protobuf map. Built on first use by a filter and kept up
 * to date by every later write; mutated only under the collection's write lock, or while being
 * built under its read lock (when no writer can run).
 */
interface PayloadColumn {
  /** Records the slot's value of the key ({@code payload} null: the slot was freed). */
  void set(int slot, Map<String, Value> payload);

  /** Makes room for slots below {@code capacity}; new slots read as missing. */
  void ensureCapacity(int capacity);
}
