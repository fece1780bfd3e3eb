package io.lesionsearch.qdrantlocal;

/**
 * A bounded min-heap keeping the k best candidates of a scan, on primitive arrays so that a scan
 * over 100,000 points allocates nothing per point. Ties between equal keys keep whichever came
 * first; Qdrant defines no order for them either.
 */
final class TopK {
  private final int capacity;
  private final float[] keys;
  private final float[] scores;
  private final int[] slots;
  private int size;

  TopK(int capacity) {
    this.capacity = capacity;
    this.keys = new float[capacity];
    this.scores = new float[capacity];
    this.slots = new int[capacity];
  }

  void offer(float key, float score, int slot) {
    if (size < capacity) {
      int i = size++;
      keys[i] = key;
      scores[i] = score;
      slots[i] = slot;
      siftUp(i);
    } else if (key > keys[0]) {
      keys[0] = key;
      scores[0] = score;
      slots[0] = slot;
      siftDown(0);
    }
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (keys[parent] <= keys[i]) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        return;
      }
      int smallest = l + 1 < size && keys[l + 1] < keys[l] ? l + 1 : l;
      if (keys[i] <= keys[smallest]) {
        return;
      }
      swap(i, smallest);
      i = smallest;
    }
  }

  private void swap(int a, int b) {
    float k = keys[a];
    keys[a] = keys[b];
    keys[b] = k;
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
    int t = slots[a];
    slots[a] = slots[b];
    slots[b] = t;
  }

  /** Heap positions ordered best first; k is small (offset + limit), so boxing is harmless. */
  private int[] orderBest() {
    Integer[] boxed = new Integer[size];
    for (int i = 0; i < size; i++) {
      boxed[i] = i;
    }
    java.util.Arrays.sort(boxed, (a, b) -> Float.compare(keys[b], keys[a]));
    int[] idx = new int[size];
    for (int i = 0; i < size; i++) {
      idx[i] = boxed[i];
    }
    return idx;
  }

  private int[] order;

  int[] sortedSlots() {
    if (order == null) {
      order = orderBest();
    }
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = slots[order[i]];
    }
    return out;
  }

  float[] sortedScores() {
    if (order == null) {
      order = orderBest();
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = scores[order[i]];
    }
    return out;
  }
}
