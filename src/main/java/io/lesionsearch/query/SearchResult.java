package io.lesionsearch.query;

import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.ScoredPoint;
import java.util.List;

/**
 * What Qdrant answered for one search: its hits, or for a grouped search its groups, best first.
 *
 * @param hits the hits of a plain search; empty when grouped
 * @param groups the groups of a grouped search; null when not grouped
 */
public record SearchResult(List<ScoredPoint> hits, List<PointGroup> groups) {

  public static SearchResult ofHits(List<ScoredPoint> hits) {
    return new SearchResult(hits, null);
  }

  public static SearchResult ofGroups(List<PointGroup> groups) {
    return new SearchResult(List.of(), groups);
  }

  public boolean grouped() {
    return groups != null;
  }
}
