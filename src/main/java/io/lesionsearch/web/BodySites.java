package io.lesionsearch.web;

import java.util.List;

/** HAM10000's values of {@code localization}, offered as body locations to leave out. */
public final class BodySites {

  public static final List<String> ALL =
      List.of(
          "abdomen",
          "acral",
          "back",
          "chest",
          "ear",
          "face",
          "foot",
          "genital",
          "hand",
          "lower extremity",
          "neck",
          "scalp",
          "trunk",
          "upper extremity",
          "unknown");

  private BodySites() {}
}
