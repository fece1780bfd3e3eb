package io.lesionsearch.reindex;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QualityGateTest {
  @Test
  void switchesWhenNoWorseThanTheAllowedDrop() {
    assertTrue(QualityGate.decide(false, 0.50, 0.49, 0.02, 10).allowed());
    assertTrue(QualityGate.decide(false, 0.50, 0.48, 0.02, 10).allowed());
    assertTrue(QualityGate.decide(false, 0.50, 0.60, 0.0, 10).allowed());
  }

  @Test
  void keepsTheAliasWhenWorseSayingTheFigures() {
    QualityGate.Decision d = QualityGate.decide(false, 0.50, 0.47, 0.02, 10);
    assertFalse(d.allowed());
    assertTrue(
        d.reason().contains("mAP@10 0.4700") && d.reason().contains("current 0.5000"), d.reason());
  }

  @Test
  void swapOrNoCurrentCollectionSwitches() {
    assertTrue(QualityGate.decide(true, 0.50, 0.10, 0.02, 10).allowed());
    assertTrue(QualityGate.decide(false, null, 0.10, 0.02, 10).allowed());
  }
}
