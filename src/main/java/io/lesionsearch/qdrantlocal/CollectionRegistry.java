package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Collections.CreateCollection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The collections of one server, by name. */
final class CollectionRegistry {
  /** A collection with the creation request it came from, which Get echoes back. */
  static final class Entry {
    final LocalCollection collection;
    final CreateCollection request;

    Entry(LocalCollection collection, CreateCollection request) {
      this.collection = collection;
      this.request = request;
    }
  }

  private final ConcurrentMap<String, Entry> byName = new ConcurrentHashMap<>();

  void create(Entry entry) {
    if (byName.putIfAbsent(entry.collection.name, entry) != null) {
      throw Errors.collectionExists(entry.collection.name);
    }
  }

  boolean delete(String name) {
    return byName.remove(name) != null;
  }

  boolean exists(String name) {
    return byName.containsKey(name);
  }

  Entry entry(String name) {
    Entry e = byName.get(name);
    if (e == null) {
      throw Errors.collectionNotFound(name);
    }
    return e;
  }

  LocalCollection get(String name) {
    return entry(name).collection;
  }

  List<String> names() {
    return new ArrayList<>(byName.keySet());
  }
}
