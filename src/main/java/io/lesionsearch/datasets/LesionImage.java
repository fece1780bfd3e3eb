package io.lesionsearch.datasets;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One row of a HAM10000-layout dataset with its image file found. Optional text fields are null
 * when the row leaves them empty; {@code age} is empty when missing ("" or NaN in the CSV), never
 * 0. {@code extra} holds any further columns (ISIC-style extras such as {@code dataset}), in file
 * order.
 */
public record LesionImage(
    String imageId,
    String lesionId,
    Diagnosis dx,
    String dxType,
    OptionalInt age,
    String sex,
    String localization,
    Map<String, String> extra,
    Path file) {}
