package io.lesionsearch.reindex;

import io.lesionsearch.ingest.IngestConfig;

/**
 * What a re-index is told.
 *
 * @param ingest the ingest job's settings; its collection is the new physical collection
 * @param alias the alias searches use, switched to the new collection when the gate allows
 * @param swap switch whatever the evaluation says
 * @param maxDrop how much lower the new collection's mAP@k may be than the current one's
 * @param k the cut-off of the evaluation's mAP@k
 * @param requestedBy who asked, for the audit trail
 */
public record ReindexSettings(
    IngestConfig ingest, String alias, boolean swap, double maxDrop, int k, String requestedBy) {

  public ReindexSettings {
    if (!(maxDrop >= 0 && maxDrop <= 1)) {
      throw new IllegalArgumentException("--max-drop must be 0..1, got " + maxDrop);
    }
    if (k < 1 || k > 1000) {
      throw new IllegalArgumentException("--k must be 1..1000, got " + k);
    }
    if (alias.equals(ingest.qdrant().collection())) {
      throw new IllegalArgumentException(
          "--to must differ from the alias "
              + alias
              + " (the new collection is made beside the one searches use)");
    }
  }

  /** The new physical collection. */
  public String target() {
    return ingest.qdrant().collection();
  }
}
