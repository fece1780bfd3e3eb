package io.lesionsearch.web;

import java.util.List;
import java.util.Locale;

/**
 * The seven HAM10000 diagnoses as clinicians read them. Payloads carry the Hugging Face copy's long
 * names ({@code melanocytic_Nevi}) or the original dataset's codes ({@code nv}), so filters match
 * both and labels are found for both.
 */
public enum Diagnosis {
  MELANOMA("melanoma", "mel", "Melanoma"),
  MELANOCYTIC_NEVI("melanocytic_Nevi", "nv", "Melanocytic nevus"),
  BASAL_CELL_CARCINOMA("basal_cell_carcinoma", "bcc", "Basal cell carcinoma"),
  ACTINIC_KERATOSES("actinic_keratoses", "akiec", "Actinic keratosis / intraepithelial carcinoma"),
  BENIGN_KERATOSIS("benign_keratosis-like_lesions", "bkl", "Benign keratosis-like lesion"),
  DERMATOFIBROMA("dermatofibroma", "df", "Dermatofibroma"),
  VASCULAR_LESIONS("vascular_lesions", "vasc", "Vascular lesion");

  private final String longName;
  private final String code;
  private final String label;

  Diagnosis(String longName, String code, String label) {
    this.longName = longName;
    this.code = code;
    this.label = label;
  }

  public String longName() {
    return longName;
  }

  public String code() {
    return code;
  }

  public String label() {
    return label;
  }

  /** The payload values that mean this diagnosis. */
  public List<String> payloadValues() {
    return List.of(longName, code);
  }

  /** The diagnosis a form or payload value names (long name or code, any case), or null. */
  public static Diagnosis of(String value) {
    if (value == null) {
      return null;
    }
    for (Diagnosis d : values()) {
      if (d.longName.equalsIgnoreCase(value) || d.code.equalsIgnoreCase(value)) {
        return d;
      }
    }
    return null;
  }

  /** A readable label for any payload value: ours where known, else the value with its underscores spaced. */
  public static String labelOf(String value) {
    Diagnosis d = of(value);
    if (d != null) {
      return d.label;
    }
    if (value == null || value.isBlank()) {
      return "Diagnosis not recorded";
    }
    String spaced = value.replace('_', ' ').trim();
    return spaced.substring(0, 1).toUpperCase(Locale.ROOT) + spaced.substring(1);
  }
}
