package io.lesionsearch.reindex;

/**
 * Whether the alias may move to the new collection: when asked to ({@code --swap}), when there is
 * no current collection to compare with, or when the new collection's mAP@k is no worse than the
 * current one's by more than the allowed drop.
 */
public final class QualityGate {
  /**
   * @param allowed whether to switch
   * @param reason one sentence for the operator
   */
  public record Decision(boolean allowed, String reason) {}

  private QualityGate() {}

  /**
   * @param current the current collection's mAP@k, or null when the alias names none
   */
  public static Decision decide(
      boolean swapAsked, Double current, double candidate, double maxDrop, int k) {
    if (swapAsked) {
      return new Decision(true, "--swap was given");
    }
    if (current == null) {
      return new Decision(true, "the alias names no collection yet");
    }
    String figures =
        String.format(
            java.util.Locale.ROOT,
            "new mAP@%d %.4f, current %.4f, allowed drop %.4f",
            k,
            candidate,
            current,
            maxDrop);
    if (candidate >= current - maxDrop) {
      return new Decision(true, "the new collection is no worse than allowed (" + figures + ")");
    }
    return new Decision(
        false,
        "the new collection is worse than allowed ("
            + figures
            + "); the alias stays. Give --swap to switch anyway, or a larger --max-drop");
  }
}
