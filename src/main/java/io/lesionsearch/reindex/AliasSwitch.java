package io.lesionsearch.reindex;

import io.lesionsearch.audit.AuditRecord;
import io.lesionsearch.audit.AuditTrail;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.grpc.Collections.AliasDescription;
import io.qdrant.client.grpc.Collections.AliasOperations;
import io.qdrant.client.grpc.Collections.CreateAlias;
import io.qdrant.client.grpc.Collections.DeleteAlias;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The alias searches use: where it points, and its switch in one atomic Qdrant call. */
public final class AliasSwitch {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final QdrantClient client;
  private final String alias;

  public AliasSwitch(QdrantClient client, String alias) {
    this.client = client;
    this.alias = alias;
  }

  /** The collection the alias names now, or null when there is no such alias. */
  public String current() throws InterruptedException, ExecutionException, TimeoutException {
    for (AliasDescription a :
        client.listAliasesAsync(TIMEOUT).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      if (a.getAliasName().equals(alias)) {
        return a.getCollectionName();
      }
    }
    return null;
  }

  /** Whether the alias's name is taken by a collection, which Qdrant never lets an alias share. */
  public boolean nameIsACollection()
      throws InterruptedException, ExecutionException, TimeoutException {
    return current() == null
        && client
            .collectionExistsAsync(alias, TIMEOUT)
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Points the alias at {@code to} in one UpdateAliases call (delete and create in one batch, which
   * Qdrant applies under one lock, so no search sees the alias missing), and audits the switch.
   *
   * @param from the collection it named before, or null
   */
  public void switchTo(String from, String to, String requestedBy)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<AliasOperations> actions = new ArrayList<>();
    if (from != null) {
      actions.add(
          AliasOperations.newBuilder()
              .setDeleteAlias(DeleteAlias.newBuilder().setAliasName(alias))
              .build());
    }
    actions.add(
        AliasOperations.newBuilder()
            .setCreateAlias(CreateAlias.newBuilder().setAliasName(alias).setCollectionName(to))
            .build());
    long t0 = System.nanoTime();
    try {
      client.updateAliasesAsync(actions, TIMEOUT).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      AuditTrail.write(
          AuditRecord.aliasSwap(
              requestedBy,
              alias,
              from,
              to,
              millisSince(t0),
              new AuditRecord.Failure("ALIAS_SWAP_FAILED", String.valueOf(e.getMessage()))));
      throw e;
    }
    AuditTrail.write(AuditRecord.aliasSwap(requestedBy, alias, from, to, millisSince(t0), null));
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
