package io.lesionsearch.qdrantlocal;

import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.HasIdCondition;
import io.qdrant.client.grpc.Common.IsEmptyCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.RepeatedIntegers;
import io.qdrant.client.grpc.Common.RepeatedStrings;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.GroupId;
import io.qdrant.client.grpc.Points.PointGroup;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Points/SearchGroups and Points/QueryGroups as Qdrant 1.18 runs them
 * (lib/collection/src/grouping/group_by.rs and aggregator.rs): the plain search is repeated with
 * {@code limit = groups * group_size}, each round excluding the points already taken and, while
 * groups are still being found, the groups already full; then up to five more rounds only fill the
 * best groups that are not full yet. Groups are ordered by their best hit, hits in a group by
 * score. A point whose key is missing, or holds anything but strings and integers, joins no group;
 * an array puts the point in the group of every element. The rounds fetch only the key; the payload
 * and vectors the caller asked for are read at the end, as Qdrant does.
 */
final class Grouping {
  private static final int MAX_GET_GROUPS_REQUESTS = 5;
  private static final int MAX_GROUP_FILLING_REQUESTS = 5;

  /** One round's plain search: the caller's request with this filter, limit and payload. */
  @FunctionalInterface
  interface Round {
    List<ScoredPoint> search(Filter filter, int limit, WithPayloadSelector keyOnly);
  }

  private final String groupBy;
  private final KeyPath path;
  private final int groups;
  private final int groupSize;
  private boolean largerIsBetter = true;

  private final Map<Object, Map<PointKey, ScoredPoint>> members = new LinkedHashMap<>();
  private final Map<Object, ScoredPoint> bestHit = new LinkedHashMap<>();
  private final Set<Object> full = new LinkedHashSet<>();
  private final Set<PointKey> taken = new LinkedHashSet<>();

  /**
   * @param groups the request's limit: how many groups
   */
  Grouping(String groupBy, long groups, long groupSize) {
    this.groupBy = groupBy;
    this.path = KeyPath.parse(groupBy);
    this.groups = (int) Math.min(groups, Integer.MAX_VALUE);
    this.groupSize = (int) Math.min(groupSize, Integer.MAX_VALUE);
  }

  /**
   * Runs the rounds and returns the best groups with bare hits (their payload is only the key).
   *
   * @param largerIsBetter the metric's order (Cosine and Dot: larger scores are better)
   */
  List<PointGroup> run(Round round, Filter userFilter, boolean largerIsBetter) {
    this.largerIsBetter = largerIsBetter;
    int limit = (int) Math.min((long) groups * groupSize, Integer.MAX_VALUE);
    WithPayloadSelector keyOnly =
        WithPayloadSelector.newBuilder()
            .setInclude(
                io.qdrant.client.grpc.Points.PayloadIncludeSelector.newBuilder()
                    .addFields(stripWildcardSuffix(groupBy)))
            .build();
    boolean needsFilling = true;
    for (int i = 0; i < MAX_GET_GROUPS_REQUESTS; i++) {
      Filter.Builder f = base(userFilter);
      f.addAllMust(matchOn(new ArrayList<>(full), true));
      excludeTaken(f);
      List<ScoredPoint> points = round.search(f.build(), limit, keyOnly);
      if (points.isEmpty()) {
        break;
      }
      add(points);
      if (filledBestGroups() >= groups) {
        needsFilling = false;
        break;
      }
    }
    if (needsFilling) {
      for (int i = 0; i < MAX_GROUP_FILLING_REQUESTS; i++) {
        Filter.Builder f = base(userFilter);
        List<Object> unfilled = new ArrayList<>(bestGroupKeys());
        unfilled.removeAll(full);
        f.addAllMust(matchOn(unfilled, false));
        excludeTaken(f);
        List<ScoredPoint> points = round.search(f.build(), limit, keyOnly);
        if (points.isEmpty()) {
          break;
        }
        add(points);
        if (filledBestGroups() >= groups) {
          break;
        }
      }
    }
    return distill();
  }

  /** The groups with each hit's payload and vectors as the request selected them. */
  static List<PointGroup> hydrate(
      List<PointGroup> bare, LocalCollection c, PayloadSelection sel, boolean withVectors) {
    List<PointKey> ids = new ArrayList<>();
    for (PointGroup g : bare) {
      for (ScoredPoint p : g.getHitsList()) {
        ids.add(PointKey.fromProto(p.getId()));
      }
    }
    Map<PointKey, RetrievedPoint> read = new HashMap<>();
    for (RetrievedPoint p : c.get(ids, sel, withVectors)) {
      read.put(PointKey.fromProto(p.getId()), p);
    }
    List<PointGroup> out = new ArrayList<>(bare.size());
    for (PointGroup g : bare) {
      PointGroup.Builder b = PointGroup.newBuilder().setId(g.getId());
      for (ScoredPoint p : g.getHitsList()) {
        RetrievedPoint r = read.get(PointKey.fromProto(p.getId()));
        if (r == null) {
          continue; // deleted between the rounds and the read
        }
        ScoredPoint.Builder h = p.toBuilder().clearPayload().putAllPayload(r.getPayloadMap());
        if (r.hasVectors()) {
          h.setVectors(r.getVectors());
        } else {
          h.clearVectors();
        }
        b.addHits(h);
      }
      out.add(b.build());
    }
    return out;
  }

  private Filter.Builder base(Filter userFilter) {
    Filter.Builder f = Filter.newBuilder();
    if (userFilter != null) {
      f.addMust(Condition.newBuilder().setFilter(userFilter));
    }
    // Points without the key are never fetched (QueryGroupRequest::do).
    f.addMustNot(Condition.newBuilder().setIsEmpty(IsEmptyCondition.newBuilder().setKey(groupBy)));
    return f;
  }

  private void excludeTaken(Filter.Builder f) {
    if (taken.isEmpty()) {
      return;
    }
    HasIdCondition.Builder ids = HasIdCondition.newBuilder();
    for (PointKey id : taken) {
      ids.addHasId(id.toProto());
    }
    f.addMustNot(Condition.newBuilder().setHasId(ids));
  }

  /**
   * Qdrant's except_on / match_on: one condition for the integer keys and one for the strings, so a
   * point keyed by the other type passes an except condition.
   */
  private List<Condition> matchOn(List<Object> keys, boolean except) {
    List<Condition> out = new ArrayList<>(2);
    List<Long> ints = new ArrayList<>();
    List<String> strings = new ArrayList<>();
    for (Object k : keys) {
      if (k instanceof Long l) {
        ints.add(l);
      } else {
        strings.add((String) k);
      }
    }
    if (!ints.isEmpty()) {
      RepeatedIntegers r = RepeatedIntegers.newBuilder().addAllIntegers(ints).build();
      Match m =
          except
              ? Match.newBuilder().setExceptIntegers(r).build()
              : Match.newBuilder().setIntegers(r).build();
      out.add(field(m));
    }
    if (!strings.isEmpty()) {
      RepeatedStrings r = RepeatedStrings.newBuilder().addAllStrings(strings).build();
      Match m =
          except
              ? Match.newBuilder().setExceptKeywords(r).build()
              : Match.newBuilder().setKeywords(r).build();
      out.add(field(m));
    }
    return out;
  }

  private Condition field(Match m) {
    return Condition.newBuilder()
        .setField(FieldCondition.newBuilder().setKey(groupBy).setMatch(m))
        .build();
  }

  private void add(List<ScoredPoint> points) {
    for (ScoredPoint p : points) {
      List<Object> keys = keysOf(p.getPayloadMap());
      if (keys == null) {
        continue;
      }
      PointKey id = PointKey.fromProto(p.getId());
      for (Object key : keys) {
        Map<PointKey, ScoredPoint> group = members.computeIfAbsent(key, k -> new LinkedHashMap<>());
        ScoredPoint old = group.get(id);
        if (old == null || old.getVersion() < p.getVersion()) {
          group.put(id, p);
        }
        taken.add(id);
        if (group.size() == groupSize) {
          full.add(key);
        }
        ScoredPoint best = bestHit.get(key);
        if (best == null || better(p, best)) {
          bestHit.put(key, p);
        }
      }
    }
  }

  /**
   * The point's group keys, each once; null when the point joins no group because one of its values
   * is not a string or an integer (GroupId::try_from fails for the whole point).
   */
  private List<Object> keysOf(Map<String, Value> payload) {
    Set<Object> keys = new LinkedHashSet<>();
    for (Value v : path.get(payload)) {
      if (v.getKindCase() == Value.KindCase.LIST_VALUE) {
        for (Value item : v.getListValue().getValuesList()) {
          if (!addKey(item, keys)) {
            return null;
          }
        }
      } else if (!addKey(v, keys)) {
        return null;
      }
    }
    return new ArrayList<>(keys);
  }

  private static boolean addKey(Value v, Set<Object> keys) {
    switch (v.getKindCase()) {
      case STRING_VALUE:
        keys.add(v.getStringValue());
        return true;
      case INTEGER_VALUE:
        keys.add(v.getIntegerValue());
        return true;
      default:
        return false;
    }
  }

  private boolean better(ScoredPoint a, ScoredPoint b) {
    return largerIsBetter ? a.getScore() > b.getScore() : a.getScore() < b.getScore();
  }

  private Comparator<ScoredPoint> bestFirst() {
    Comparator<ScoredPoint> byScore = Comparator.comparingDouble(ScoredPoint::getScore);
    return largerIsBetter ? byScore.reversed() : byScore;
  }

  /** The keys of the best {@code groups} groups, best first (ties keep the order found). */
  private List<Object> bestGroupKeys() {
    List<Map.Entry<Object, ScoredPoint>> pairs = new ArrayList<>(bestHit.entrySet());
    Comparator<ScoredPoint> order = bestFirst();
    pairs.sort((x, y) -> order.compare(x.getValue(), y.getValue()));
    List<Object> out = new ArrayList<>(Math.min(groups, pairs.size()));
    for (int i = 0; i < pairs.size() && i < groups; i++) {
      out.add(pairs.get(i).getKey());
    }
    return out;
  }

  private int filledBestGroups() {
    int n = 0;
    for (Object key : new HashSet<>(bestGroupKeys())) {
      if (full.contains(key)) {
        n++;
      }
    }
    return n;
  }

  private List<PointGroup> distill() {
    List<PointGroup> out = new ArrayList<>();
    for (Object key : bestGroupKeys()) {
      List<ScoredPoint> hits = new ArrayList<>(members.get(key).values());
      hits.sort(bestFirst());
      PointGroup.Builder g = PointGroup.newBuilder().setId(groupId(key));
      g.addAllHits(hits.subList(0, Math.min(groupSize, hits.size())));
      out.add(g.build());
    }
    return out;
  }

  /** Qdrant's GroupId: a string, or an integer as unsigned when it is not negative. */
  private static GroupId groupId(Object key) {
    if (key instanceof Long l) {
      long n = l;
      return n >= 0
          ? GroupId.newBuilder().setUnsignedValue(n).build()
          : GroupId.newBuilder().setIntegerValue(n).build();
    }
    return GroupId.newBuilder().setStringValue((String) key).build();
  }

  private static String stripWildcardSuffix(String key) {
    return key.endsWith("[]") ? key.substring(0, key.length() - 2) : key;
  }
}
