package io.lesionsearch.local.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bench's split of a request's time into legs, from Kafka's timestamps and the job's. */
class LatencyLegsTest {

  @Test
  void eachLegRunsFromOneTimestampToTheNext() {
    TripTimes trips = new TripTimes();
    trips.requestAppended("r-1", 1_002);
    trips.replyRead("r-1", 1_020, 1_005, 0);
    LatencyLegs legs = new LatencyLegs(1);
    legs.add(0, 1_000.5, trips.remove("r-1"), 12, 1_021.5);
    assertArrayEquals(new double[] {1.5, 1.5}, legs.percentiles(0), 1e-9, "client -> broker");
    assertArrayEquals(new double[] {3, 3}, legs.percentiles(1), 1e-9, "broker -> job");
    assertArrayEquals(new double[] {12, 12}, legs.percentiles(2), 1e-9, "in the job");
    assertArrayEquals(new double[] {3, 3}, legs.percentiles(3), 1e-9, "job -> broker");
    assertArrayEquals(new double[] {1.5, 1.5}, legs.percentiles(4), 1e-9, "broker -> client");
  }

  @Test
  void aLegWithAnUnknownEndStaysOutOfTheFigures() {
    TripTimes trips = new TripTimes();
    trips.replyRead("r-1", 1_020, -1, 0); // no append seen, no received header
    LatencyLegs legs = new LatencyLegs(1);
    legs.add(0, 1_000, trips.remove("r-1"), 12, 1_021);
    assertTrue(Double.isNaN(legs.percentiles(0)[0]));
    assertTrue(Double.isNaN(legs.percentiles(1)[0]));
    assertTrue(Double.isNaN(legs.percentiles(3)[0]));
    assertArrayEquals(new double[] {1, 1}, legs.percentiles(4), 1e-9);
    assertTrue(legs.table().contains("reply appended -> read by the client"), legs.table());
    assertTrue(legs.table().matches("(?s).*by broker\\s+-\\s+-\\n.*"), legs.table());
  }
}
