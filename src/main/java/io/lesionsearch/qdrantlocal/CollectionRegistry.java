package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CreateCollection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The collections of one server, by name, and the aliases that name them
 * (lib/storage/src/content_manager/alias_mapping.rs, toc/collection_meta_ops.rs). Every lookup
 * resolves an alias first, as Qdrant's resolve_name does, so every read and write through an alias
 * reaches its collection.
 *
 * <p>Changes (create, delete, alias batches) are serialised on this object; the alias map is
 * replaced whole, so a lookup sees a batch either not at all or completely - like Qdrant, which
 * holds the collections' write lock for the whole batch.
 */
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

  /** Alias to collection name; never changed in place, only replaced. */
  private volatile Map<String, String> aliases = Map.of();

  synchronized void create(Entry entry) {
    String name = entry.collection.name;
    if (byName.containsKey(name)) {
      throw Errors.collectionExists(name);
    }
    if (aliases.containsKey(name)) {
      throw Errors.wrongInput(
          "Can't create collection with name "
              + name
              + ". Alias with the same name already exists");
    }
    byName.put(name, entry);
  }

  /** Deletes a collection (never through an alias, as in Qdrant) and every alias naming it. */
  synchronized boolean delete(String name) {
    Map<String, String> kept = new HashMap<>(aliases);
    if (kept.values().removeIf(name::equals)) {
      aliases = Map.copyOf(kept);
    }
    return byName.remove(name) != null;
  }

  /**
   * Applies the actions in order as one step for readers. Like Qdrant (update_aliases), an action
   * that fails stops the batch with its error and the actions before it stay applied; nothing of
   * the batch is visible before it ends.
   */
  synchronized void updateAliases(List<AliasOperations> actions) {
    Map<String, String> next = new HashMap<>(aliases);
    try {
      for (AliasOperations a : actions) {
        switch (a.getActionCase()) {
          case CREATE_ALIAS:
            {
              String collection = a.getCreateAlias().getCollectionName();
              String alias = a.getCreateAlias().getAliasName();
              if (!byName.containsKey(collection)) {
                throw Errors.collectionNotFound(collection);
              }
              if (byName.containsKey(alias)) {
                throw Errors.collectionExists(alias);
              }
              next.put(alias, collection); // an existing alias is re-pointed
              break;
            }
          case DELETE_ALIAS:
            next.remove(a.getDeleteAlias().getAliasName()); // a missing alias is no error
            break;
          case RENAME_ALIAS:
            {
              String old = a.getRenameAlias().getOldAliasName();
              String collection = next.remove(old);
              if (collection == null) {
                throw Errors.notFound("Alias " + old + " does not exists!");
              }
              next.put(a.getRenameAlias().getNewAliasName(), collection);
              break;
            }
          default:
            throw new IllegalStateException("checked by the caller: " + a.getActionCase());
        }
      }
    } finally {
      aliases = Map.copyOf(next);
    }
  }

  /** A collection's name, or an alias's collection; the name itself when neither exists. */
  String resolve(String name) {
    String target = aliases.get(name);
    return target != null ? target : name;
  }

  boolean exists(String name) {
    return byName.containsKey(resolve(name));
  }

  Entry entry(String name) {
    String resolved = resolve(name);
    Entry e = byName.get(resolved);
    if (e == null) {
      throw Errors.collectionNotFound(resolved);
    }
    return e;
  }

  LocalCollection get(String name) {
    return entry(name).collection;
  }

  List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  /** Every alias, by collection name then alias name (Qdrant lists by collection). */
  List<AliasDescription> aliases() {
    List<AliasDescription> out = new ArrayList<>();
    aliases.forEach(
        (alias, collection) ->
            out.add(
                AliasDescription.newBuilder()
                    .setAliasName(alias)
                    .setCollectionName(collection)
                    .build()));
    out.sort(
        Comparator.comparing(AliasDescription::getCollectionName)
            .thenComparing(AliasDescription::getAliasName));
    return out;
  }

  /** The aliases of one collection (by its own name, not through an alias); empty if none. */
  List<AliasDescription> aliasesOf(String collection) {
    List<AliasDescription> out = new ArrayList<>();
    for (AliasDescription d : aliases()) {
      if (d.getCollectionName().equals(collection)) {
        out.add(d);
      }
    }
    return out;
  }
}
