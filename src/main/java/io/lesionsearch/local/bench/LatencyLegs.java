package io.lesionsearch.local.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where each request's time went, leg by leg, from its scheduled send to its reply being read: the
 * request's and the reply's broker append times (topics with LogAppendTime) and the job's receive
 * time (reply header) split it. Each leg's percentiles are its own: they do not add up to the
 * total's.
 */
final class LatencyLegs {

  static final String[] NAMES = {
    "client: scheduled -> request appended by broker",
    "request appended -> read by the job",
    "in the job: read -> reply built (took_ms)",
    "reply built -> reply appended by broker",
    "reply appended -> read by the client"
  };

  private final double[][] legs;

  LatencyLegs(int requests) {
    legs = new double[NAMES.length][requests];
    for (double[] leg : legs) {
      Arrays.fill(leg, Double.NaN);
    }
  }

  /**
   * Request {@code index}'s legs; a leg whose ends are not both known stays out of the figures.
   *
   * @param scheduledMs when it was due to be sent, epoch ms
   * @param tookMs the reply's took_ms, -1 without it
   * @param readMs when the client read the reply, epoch ms
   */
  synchronized void add(
      int index, double scheduledMs, TripTimes.Trip trip, long tookMs, double readMs) {
    long appended = trip.appendedMs();
    long received = trip.jobReceivedMs();
    long reply = trip.replyMs();
    legs[0][index] = appended < 0 ? Double.NaN : appended - scheduledMs;
    legs[1][index] = appended < 0 || received < 0 ? Double.NaN : received - appended;
    legs[2][index] = tookMs < 0 ? Double.NaN : tookMs;
    legs[3][index] =
        received < 0 || tookMs < 0 || reply < 0 ? Double.NaN : reply - (received + tookMs);
    legs[4][index] = reply < 0 ? Double.NaN : readMs - reply;
  }

  /** Leg {@code leg} of request {@code index} in ms, NaN when unknown. */
  synchronized double leg(int leg, int index) {
    return legs[leg][index];
  }

  /** The p50 and p99 of leg {@code leg}, NaN when no request had it. */
  synchronized double[] percentiles(int leg) {
    double[] known = Arrays.stream(legs[leg]).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (known.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    return new double[] {percentile(known, 0.50), percentile(known, 0.99)};
  }

  String table() {
    StringBuilder b =
        new StringBuilder(
            "where the time goes (ms; broker and job times are whole ms, so each leg is +-1 ms):\n");
    b.append(String.format(Locale.ROOT, "  %-48s %7s %7s%n", "leg", "p50", "p99"));
    for (int i = 0; i < NAMES.length; i++) {
      double[] p = percentiles(i);
      b.append(
          String.format(Locale.ROOT, "  %-48s %7s %7s%n", NAMES[i], millis(p[0]), millis(p[1])));
    }
    return b.toString();
  }

  /** "-" for a leg no request had. */
  private static String millis(double ms) {
    return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.1f", ms);
  }

  private static double percentile(double[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
