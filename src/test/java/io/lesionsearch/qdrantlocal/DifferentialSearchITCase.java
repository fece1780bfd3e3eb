package io.lesionsearch.qdrantlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.lesionsearch.qdrantlocal.DifferentialCase.Broken;
import io.lesionsearch.qdrantlocal.DifferentialCase.Count;
import io.lesionsearch.qdrantlocal.DifferentialCase.DeleteByFilter;
import io.lesionsearch.qdrantlocal.DifferentialCase.Op;
import io.lesionsearch.qdrantlocal.DifferentialCase.Pid;
import io.lesionsearch.qdrantlocal.DifferentialCase.Point;
import io.lesionsearch.qdrantlocal.DifferentialCase.Scroll;
import io.lesionsearch.qdrantlocal.DifferentialCase.Search;
import io.lesionsearch.qdrantlocal.DifferentialCase.SearchBatch;
import io.lesionsearch.qdrantlocal.DifferentialOracle.Scored;
import io.lesionsearch.qdrantlocal.DifferentialOracle.Stored;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Batch;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Counted;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Done;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Failed;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Hit;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Outcome;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Page;
import io.lesionsearch.qdrantlocal.DifferentialTarget.Ranked;
import io.lesionsearch.testing.QdrantUnderTest;
import io.qdrant.client.grpc.JsonWithInt.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.statistics.Statistics;

/**
 * Differential test of the local endpoint: jqwik generates collections (every distance, a few
 * dimensions, numeric and UUID ids that collide, payloads with nested objects, arrays, nulls and
 * mixed types) and operations (Search, Query, query by id, SearchBatch / QueryBatch, exact Count,
 * Scroll, delete by filter, and requests Qdrant refuses) with filters of every kind FilterJson
 * accepts, nested must / should / must_not / min_should included. Each case runs on the local
 * endpoint and on {@link DifferentialOracle}, and also on a real Qdrant when {@code
 * -Dlesion.test.qdrant=HOST:PORT} names one; all must agree: the same ids, the same order up to
 * ties (Qdrant leaves their order undefined), scores within 1e-5, the same payloads and vectors
 * when asked, the same counts and pages, the same status codes.
 *
 * <p>The one allowed difference: the local endpoint refuses values_count and full-text conditions
 * ("qdrant-local does not support ...", INVALID_ARGUMENT, as the README's "What it refuses" says).
 * Such a refusal passes only for an operation that uses one of them, and is counted in the summary;
 * Qdrant's answers to those operations are still compared with the oracle.
 *
 * <p>Runs {@value #DEFAULT_TRIES} cases by default; {@code -Dlesion.test.differential.tries=N}
 * changes that and {@code -Dlesion.test.differential.seed=S} replays the seed a failure printed.
 */
class DifferentialSearchITCase {
  static final String TRIES_PROPERTY = "lesion.test.differential.tries";
  static final String SEED_PROPERTY = "lesion.test.differential.seed";
  static final int DEFAULT_TRIES = 300;

  static {
    // The client logs every failed call at ERROR; the faulty requests here fail on purpose.
    org.apache.logging.log4j.core.config.Configurator.setLevel(
        "io.qdrant.client.QdrantClient", org.apache.logging.log4j.Level.OFF);
  }

  private static QdrantLocalServer localServer;
  private static DifferentialTarget local;
  private static QdrantUnderTest realServer;
  private static DifferentialTarget real;
  private static long startNanos;
  private static final AtomicInteger CASES = new AtomicInteger();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Map<String, AtomicInteger> OPS = new java.util.TreeMap<>();
  private static final AtomicInteger REFUSALS = new AtomicInteger();
  private static final AtomicLong HITS = new AtomicLong();

  /**
   * Tries still running. jqwik's bounded shrinking runs tries on another thread and stops waiting
   * for one after its time limit; such a try may still be creating a collection on the shared
   * server when the container ends, so stop() waits for them before the final clean-up.
   */
  private static int inFlight;

  private static final Object IN_FLIGHT = new Object();

  @BeforeContainer
  static void start() throws Exception {
    startNanos = System.nanoTime();
    localServer =
        QdrantLocalServer.builder().inProcess("differential-" + System.nanoTime()).start();
    local = new DifferentialTarget("local endpoint", localServer.newClient());
    if (QdrantUnderTest.real()) {
      realServer = QdrantUnderTest.start();
      real = new DifferentialTarget("Qdrant at " + realServer.address(), realServer.client());
    }
  }

  @AfterContainer
  static void stop() throws InterruptedException {
    synchronized (IN_FLIGHT) {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (inFlight > 0 && System.nanoTime() < deadline) {
        IN_FLIGHT.wait(1000);
      }
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf(
        "differential: %d cases run (shrinking included), operations %s, %d hits compared, %d documented local refusals"
            + " (values_count / full-text), against the oracle%s, %.1f s%n",
        CASES.get(),
        OPS,
        HITS.get(),
        REFUSALS.get(),
        real != null ? " and " + real.label : "",
        seconds);
    if (realServer != null) {
      realServer.close();
    }
    if (localServer != null) {
      localServer.close();
    }
  }

  /** Tries and seed from system properties (jqwik's annotation takes constants only). */
  static final class Settings implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(
        PropertyLifecycleContext context, PropertyExecutor property) {
      String tries = System.getProperty(TRIES_PROPERTY);
      if (tries != null && !tries.isBlank()) {
        context.attributes().setTries(Integer.parseInt(tries.trim()));
      }
      String seed = System.getProperty(SEED_PROPERTY);
      if (seed != null && !seed.isBlank()) {
        context.attributes().setSeed(seed.trim());
      }
      return property.execute();
    }
  }

  @Provide
  Arbitrary<DifferentialCase> cases() {
    return DifferentialGenerators.cases();
  }

  @Property(tries = DEFAULT_TRIES, shrinking = ShrinkingMode.BOUNDED)
  @AddLifecycleHook(Settings.class)
  void localEndpointAnswersAsQdrant(@ForAll("cases") DifferentialCase c) throws Exception {
    synchronized (IN_FLIGHT) {
      inFlight++;
    }
    try {
      runCase(c);
    } finally {
      synchronized (IN_FLIGHT) {
        inFlight--;
        IN_FLIGHT.notifyAll();
      }
    }
  }

  private void runCase(DifferentialCase c) throws Exception {
    CASES.incrementAndGet();
    String name =
        "differential-"
            + SEQUENCE.incrementAndGet()
            + "-"
            + Long.toHexString(System.nanoTime() & 0xffffff);
    if (realServer != null) {
      name =
          realServer.collection("differential"); // unique on the shared server, dropped at the end
    }
    DifferentialOracle oracle = new DifferentialOracle(c.distance(), c.dim());
    List<String> problems = new ArrayList<>();
    local.create(name, c);
    if (real != null) {
      real.create(name, c);
    }
    try {
      for (int i = 0; i < c.batches().size(); i++) {
        List<Point> batch = c.batches().get(i);
        oracle.upsert(batch);
        expectDone("upsert batch " + i, local, local.upsert(name, batch), problems);
        if (real != null) {
          expectDone("upsert batch " + i, real, real.upsert(name, batch), problems);
        }
      }
      for (int i = 0; i < c.ops().size() && problems.size() < 5; i++) {
        runOp("op " + i, name, oracle, c.ops().get(i), problems);
      }
    } finally {
      local.drop(name);
      if (real != null) {
        real.drop(name);
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("\n", problems));
    }
    // Filters that keep some points but not all are the ones that test anything; if the
    // generators drift so that most filters keep everything or nothing, this fails. Only over
    // enough cases for the shares to mean something (not when replaying a seed with a few tries).
    if (Integer.parseInt(System.getProperty(TRIES_PROPERTY, Integer.toString(DEFAULT_TRIES)).trim())
        >= 100) {
      Statistics.label("operation filters select")
          .coverage(
              check -> {
                check.check("some").percentage(p -> p >= 20);
                check.check("none").percentage(p -> p >= 5);
                check.check("all").percentage(p -> p >= 5);
              });
    }
  }

  private static void expectDone(
      String what, DifferentialTarget t, Outcome got, List<String> problems) {
    if (!(got instanceof Done)) {
      problems.add(what + ": " + t.label + " answered " + got + ", expected success");
    }
  }

  private void runOp(
      String where, String name, DifferentialOracle oracle, Op op, List<String> problems) {
    count(op);
    if (op instanceof Search s) {
      Search sent = clearThreshold(oracle, s);
      where = where + " " + sent;
      collectSelectivity(oracle, sent.filter());
      Expected e = expectSearch(oracle, sent);
      compareBoth(
          where,
          op,
          e,
          local.run(name, sent),
          real == null ? null : real.run(name, sent),
          oracle,
          problems);
    } else if (op instanceof SearchBatch b) {
      List<Search> sent = new ArrayList<>();
      b.searches().forEach(s -> sent.add(clearThreshold(oracle, s)));
      SearchBatch batch = new SearchBatch(b.api(), sent, b.innerNames());
      where = where + " " + batch;
      List<Expected> each = new ArrayList<>();
      sent.forEach(s -> each.add(expectSearch(oracle, s)));
      // Qdrant validates the inner requests' collection names before it uses the outer one.
      Expected e =
          b.innerNames() == DifferentialCase.InnerNames.EMPTY
              ? new Expected(Status.Code.INVALID_ARGUMENT, null, null, null, null)
              : new Expected(null, null, each, null, null);
      compareBoth(
          where,
          op,
          e,
          local.run(name, batch),
          real == null ? null : real.run(name, batch),
          oracle,
          problems);
    } else if (op instanceof Count cnt) {
      where = where + " " + op;
      collectSelectivity(oracle, cnt.filter());
      Expected e =
          new Expected(null, null, null, (long) oracle.matching(cnt.filter()).size(), null);
      compareBoth(
          where,
          op,
          e,
          local.run(name, op),
          real == null ? null : real.run(name, op),
          oracle,
          problems);
    } else if (op instanceof Scroll sc) {
      where = where + " " + op;
      collectSelectivity(oracle, sc.filter());
      List<Pid> ids = new ArrayList<>();
      for (Pid id : oracle.matching(sc.filter())) {
        if (sc.offset() == null || id.compareTo(sc.offset()) >= 0) {
          ids.add(id);
        }
      }
      Expected e = new Expected(null, null, null, null, ids);
      e.scrollLimit = sc.limit();
      compareBoth(
          where,
          op,
          e,
          local.run(name, op),
          real == null ? null : real.run(name, op),
          oracle,
          problems);
    } else if (op instanceof DeleteByFilter d) {
      where = where + " " + op;
      collectSelectivity(oracle, d.filter());
      Outcome gotLocal = local.run(name, op);
      Outcome gotReal = real == null ? null : real.run(name, op);
      List<Pid> doomed = oracle.deleteWhere(d.filter());
      Expected e = new Expected(null, null, null, null, null);
      compareBoth(where, op, e, gotLocal, gotReal, oracle, problems);
      if (documentedRefusal(op, gotLocal)) {
        // The local endpoint refused a filter it does not support (compared above); delete the
        // same points by id so that the operations after this one compare the same collection.
        expectDone(
            where + " (deleting the oracle's " + doomed.size() + " ids instead)",
            local,
            local.deleteIds(name, doomed),
            problems);
      }
    } else {
      Broken b = (Broken) op;
      where = where + " " + op;
      Expected e = new Expected(oracle.expectedError(b), null, null, null, null);
      compareBoth(
          where,
          op,
          e,
          local.run(name, op),
          real == null ? null : real.run(name, op),
          oracle,
          problems);
    }
  }

  private static void count(Op op) {
    String kind =
        op instanceof Search s
            ? (s.byId() != null ? "query by id" : s.api().name().toLowerCase(java.util.Locale.ROOT))
            : op instanceof SearchBatch b
                ? b.api().name().toLowerCase(java.util.Locale.ROOT) + " batch"
                : op instanceof Count
                    ? "count"
                    : op instanceof Scroll
                        ? "scroll"
                        : op instanceof DeleteByFilter ? "delete" : "faulty";
    synchronized (OPS) {
      OPS.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  private static void collectSelectivity(DifferentialOracle oracle, ObjectNode filter) {
    if (filter == null || oracle.points().isEmpty()) {
      return;
    }
    int n = oracle.matching(filter).size();
    Statistics.label("operation filters select")
        .collect(n == 0 ? "none" : n == oracle.points().size() ? "all" : "some");
  }

  /**
   * The search as sent: its threshold moved off every score (see
   * DifferentialOracle.clearThreshold).
   */
  private static Search clearThreshold(DifferentialOracle oracle, Search s) {
    if (s.threshold() == null) {
      return s;
    }
    float[] query = queryVector(oracle, s);
    if (query == null) {
      return s;
    }
    return new Search(
        s.api(),
        s.vector(),
        s.byId(),
        s.filter(),
        s.limit(),
        s.offset(),
        oracle.clearThreshold(query, s.threshold()),
        s.withPayload(),
        s.withVectors());
  }

  private static float[] queryVector(DifferentialOracle oracle, Search s) {
    if (s.byId() == null) {
      return s.vector();
    }
    Stored example = oracle.get(s.byId());
    return example == null ? null : example.vector();
  }

  /**
   * What the oracle expects: an error code, or the full ranking (offset and limit applied when
   * comparing), or per-search rankings of a batch, or a count, or the ids a scroll walks.
   */
  static final class Expected {
    final Status.Code error;
    final Search search;
    final List<Expected> batch;
    final Long count;
    final List<Pid> scroll;
    List<Scored> ranked;
    int scrollLimit;

    Expected(Status.Code error, Search search, List<Expected> batch, Long count, List<Pid> scroll) {
      this.error = error;
      this.search = search;
      this.batch = batch;
      this.count = count;
      this.scroll = scroll;
    }
  }

  private static Expected expectSearch(DifferentialOracle oracle, Search s) {
    float[] query = queryVector(oracle, s);
    if (query == null) {
      return new Expected(Status.Code.NOT_FOUND, s, null, null, null); // query by an id not stored
    }
    Expected e = new Expected(null, s, null, null, null);
    e.ranked = oracle.ranked(query, s.byId(), s.filter(), s.threshold());
    return e;
  }

  // ------------------------------------------------------------------ comparison

  private void compareBoth(
      String where,
      Op op,
      Expected e,
      Outcome gotLocal,
      Outcome gotReal,
      DifferentialOracle oracle,
      List<String> problems) {
    if (documentedRefusal(op, gotLocal)) {
      REFUSALS.incrementAndGet();
    } else {
      compare(where, local, e, gotLocal, oracle, problems);
    }
    if (gotReal != null) {
      compare(where, real, e, gotReal, oracle, problems);
      if (!documentedRefusal(op, gotLocal)) {
        compareDirect(where, gotLocal, gotReal, problems);
      }
    }
  }

  /**
   * The local endpoint's documented refusal, and only for an operation that uses what it refuses.
   */
  static boolean documentedRefusal(Op op, Outcome got) {
    return got instanceof Failed f
        && f.code() == Status.Code.INVALID_ARGUMENT
        && f.message() != null
        && f.message().startsWith("qdrant-local does not support")
        && usesUnsupported(op);
  }

  static boolean usesUnsupported(Op op) {
    List<ObjectNode> filters = new ArrayList<>();
    if (op instanceof Search s) {
      filters.add(s.filter());
    } else if (op instanceof SearchBatch b) {
      b.searches().forEach(s -> filters.add(s.filter()));
    } else if (op instanceof Count c) {
      filters.add(c.filter());
    } else if (op instanceof Scroll s) {
      filters.add(s.filter());
    } else if (op instanceof DeleteByFilter d) {
      filters.add(d.filter());
    } else if (op instanceof Broken b) {
      filters.add(b.search().filter());
    }
    for (ObjectNode f : filters) {
      if (f != null && unsupported(f)) {
        return true;
      }
    }
    return false;
  }

  private static boolean unsupported(JsonNode n) {
    if (n.isObject()) {
      if (n.has("values_count")) {
        return true;
      }
      JsonNode m = n.get("match");
      if (m != null && (m.has("text") || m.has("phrase") || m.has("text_any"))) {
        return true;
      }
    }
    for (JsonNode child : n) {
      if (unsupported(child)) {
        return true;
      }
    }
    return false;
  }

  private static void compare(
      String where,
      DifferentialTarget t,
      Expected e,
      Outcome got,
      DifferentialOracle oracle,
      List<String> problems) {
    String who = where + ": " + t.label;
    if (e.error != null || (e.search != null && e.ranked == null)) {
      Status.Code want = e.error != null ? e.error : Status.Code.NOT_FOUND;
      if (!(got instanceof Failed f) || f.code() != want) {
        problems.add(who + " answered " + brief(got) + ", Qdrant answers " + want);
      }
      return;
    }
    if (got instanceof Failed f) {
      problems.add(
          who
              + " failed with "
              + f
              + ", expected an answer"
              + (e.ranked != null ? " " + window(e) : ""));
      return;
    }
    if (e.search != null) {
      compareRanked(who, e, (Ranked) got, oracle, problems);
    } else if (e.batch != null) {
      List<Ranked> results = ((Batch) got).results();
      if (results.size() != e.batch.size()) {
        problems.add(
            who + " answered " + results.size() + " results for " + e.batch.size() + " searches");
        return;
      }
      for (int i = 0; i < results.size(); i++) {
        Expected one = e.batch.get(i);
        if (one.ranked == null) {
          problems.add(who + " search " + i + ": expected an error " + one.error);
        } else {
          compareRanked(who + " search " + i, one, results.get(i), oracle, problems);
        }
      }
    } else if (e.count != null) {
      long n = ((Counted) got).count();
      if (n != e.count) {
        problems.add(who + " counted " + n + ", expected " + e.count);
      }
    } else if (e.scroll != null) {
      comparePage(who, e, (Page) got, oracle, problems);
    } else if (!(got instanceof Done)) {
      problems.add(who + " answered " + got + ", expected success");
    }
  }

  private static List<Scored> windowOf(Expected e) {
    int from = Math.min(e.search.offset(), e.ranked.size());
    int to = Math.min(e.search.offset() + e.search.limit(), e.ranked.size());
    return e.ranked.subList(from, to);
  }

  private static String window(Expected e) {
    StringBuilder b = new StringBuilder("[");
    for (Scored s : windowOf(e)) {
      b.append(b.length() > 1 ? ", " : "")
          .append(s.id().canonical())
          .append('@')
          .append((float) s.score());
    }
    return b.append(']').toString();
  }

  private static String hits(List<Hit> hits) {
    StringBuilder b = new StringBuilder("[");
    for (Hit h : hits) {
      b.append(b.length() > 1 ? ", " : "").append(h.id()).append('@').append(h.score());
    }
    return b.append(']').toString();
  }

  /**
   * Position by position: the hit's own score is the oracle's score for that id, and that score is
   * the one the oracle ranks at this position. Together with distinct ids that all pass the filter
   * and the threshold, this is "the same ids in the same order", allowing any order and any choice
   * among points whose scores are within the tolerance (ties).
   */
  private static void compareRanked(
      String who, Expected e, Ranked got, DifferentialOracle oracle, List<String> problems) {
    List<Scored> window = windowOf(e);
    Map<String, Scored> candidates = new HashMap<>();
    e.ranked.forEach(s -> candidates.put(s.id().canonical(), s));
    String both = " (expected " + window(e) + ", got " + hits(got.hits()) + ")";
    if (got.hits().size() != window.size()) {
      problems.add(
          who + " returned " + got.hits().size() + " hits, expected " + window.size() + both);
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < window.size(); i++) {
      Hit h = got.hits().get(i);
      HITS.incrementAndGet();
      Scored mine = candidates.get(h.id());
      if (mine == null) {
        problems.add(
            who
                + " hit "
                + i
                + " is "
                + h.id()
                + ", which the filter, the threshold or the example excludes"
                + both);
        return;
      }
      if (!seen.add(h.id())) {
        problems.add(who + " returned " + h.id() + " twice" + both);
        return;
      }
      if (!DifferentialOracle.close(mine.score(), window.get(i).score())) {
        problems.add(
            who
                + " hit "
                + i
                + " is "
                + h.id()
                + " (score "
                + mine.score()
                + "), but the hit at "
                + i
                + " scores "
                + window.get(i).score()
                + both);
        return;
      }
      if (!DifferentialOracle.close(h.score(), mine.score())) {
        problems.add(
            who + " scored " + h.id() + " " + h.score() + ", expected " + mine.score() + both);
        return;
      }
      Stored stored = oracle.get(mine.id());
      Map<String, Value> payload =
          e.search.withPayload() ? DifferentialTarget.payload(stored.payload()) : Map.of();
      if (!payload.equals(h.payload())) {
        problems.add(
            who + " returned payload " + h.payload() + " for " + h.id() + ", expected " + payload);
      }
      if (e.search.withVectors() != (h.vector() != null)) {
        problems.add(
            who
                + (e.search.withVectors() ? " returned no vector" : " returned a vector unasked")
                + " for "
                + h.id());
      } else if (h.vector() != null && !closeVectors(stored.vector(), h.vector())) {
        problems.add(
            who
                + " returned vector "
                + h.vector()
                + " for "
                + h.id()
                + ", stored "
                + java.util.Arrays.toString(stored.vector()));
      }
    }
  }

  private static boolean closeVectors(float[] want, List<Float> got) {
    if (want.length != got.size()) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (!DifferentialOracle.close(want[i], got.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Scroll: ids in Qdrant's id order from the offset, payload by default, next_page_offset. */
  private static void comparePage(
      String who, Expected e, Page got, DifferentialOracle oracle, List<String> problems) {
    List<String> want = new ArrayList<>();
    for (int i = 0; i < Math.min(e.scrollLimit, e.scroll.size()); i++) {
      want.add(e.scroll.get(i).canonical());
    }
    List<String> ids = new ArrayList<>();
    got.points().forEach(p -> ids.add(p.id()));
    if (!want.equals(ids)) {
      problems.add(who + " scrolled " + ids + ", expected " + want);
      return;
    }
    String next = e.scroll.size() > e.scrollLimit ? e.scroll.get(e.scrollLimit).canonical() : null;
    if (!java.util.Objects.equals(next, got.nextOffset())) {
      problems.add(who + " next_page_offset " + got.nextOffset() + ", expected " + next);
    }
    for (int i = 0; i < got.points().size(); i++) {
      Map<String, Value> payload =
          DifferentialTarget.payload(oracle.get(e.scroll.get(i)).payload());
      if (!payload.equals(got.points().get(i).payload())) {
        problems.add(
            who
                + " returned payload "
                + got.points().get(i).payload()
                + " for "
                + ids.get(i)
                + ", expected "
                + payload);
      }
    }
  }

  /**
   * Local endpoint against Qdrant directly: the same kind of answer, the same codes, counts and
   * pages, and rankings that agree position by position up to ties.
   */
  private void compareDirect(String where, Outcome a, Outcome b, List<String> problems) {
    String who = where + ": local endpoint vs " + real.label;
    if (a.getClass() != b.getClass()) {
      problems.add(who + ": " + brief(a) + " vs " + brief(b));
      return;
    }
    if (a instanceof Failed fa) {
      if (fa.code() != ((Failed) b).code()) {
        problems.add(who + ": " + fa + " vs " + b);
      }
    } else if (a instanceof Ranked ra) {
      directRanked(who, ra, (Ranked) b, problems);
    } else if (a instanceof Batch ba) {
      List<Ranked> rb = ((Batch) b).results();
      for (int i = 0; i < Math.min(ba.results().size(), rb.size()); i++) {
        directRanked(who + " search " + i, ba.results().get(i), rb.get(i), problems);
      }
    } else if (!a.equals(b) && !(a instanceof Page)) {
      problems.add(who + ": " + a + " vs " + b);
    } else if (a instanceof Page pa) {
      Page pb = (Page) b;
      List<String> ia = new ArrayList<>();
      List<String> ib = new ArrayList<>();
      pa.points().forEach(p -> ia.add(p.id()));
      pb.points().forEach(p -> ib.add(p.id()));
      if (!ia.equals(ib) || !java.util.Objects.equals(pa.nextOffset(), pb.nextOffset())) {
        problems.add(
            who
                + ": "
                + ia
                + " next "
                + pa.nextOffset()
                + " vs "
                + ib
                + " next "
                + pb.nextOffset());
      }
    }
  }

  private static void directRanked(String who, Ranked a, Ranked b, List<String> problems) {
    if (a.hits().size() != b.hits().size()) {
      problems.add(who + ": " + hits(a.hits()) + " vs " + hits(b.hits()));
      return;
    }
    for (int i = 0; i < a.hits().size(); i++) {
      Hit x = a.hits().get(i);
      Hit y = b.hits().get(i);
      // a different id at the same place is a tie only if both score the same
      if (!DifferentialOracle.close(x.score(), y.score())) {
        problems.add(who + " at " + i + ": " + hits(a.hits()) + " vs " + hits(b.hits()));
        return;
      }
    }
  }

  private static String brief(Outcome o) {
    if (o instanceof Ranked r) {
      return "hits " + hits(r.hits());
    }
    return String.valueOf(o);
  }
}
