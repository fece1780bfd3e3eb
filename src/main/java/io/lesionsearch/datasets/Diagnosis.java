package io.lesionsearch.datasets;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HAM10000's seven diagnoses. The Harvard Dataverse / Kaggle metadata uses the short codes; the
 * Hugging Face copy (marmal88/skin_cancer) that Qdrant's tutorial loads uses the long names, and
 * the tutorial's filters name those. Ingest messages carry both: {@code dx} = long name (so the
 * tutorial's filters work verbatim), {@code dx_code} = short code.
 */
public enum Diagnosis {
  AKIEC("akiec", "actinic_keratoses", "Actinic keratosis / intraepithelial carcinoma", 327),
  BCC("bcc", "basal_cell_carcinoma", "Basal cell carcinoma", 514),
  BKL("bkl", "benign_keratosis-like_lesions", "Benign keratosis-like lesion", 1099),
  DF("df", "dermatofibroma", "Dermatofibroma", 115),
  MEL("mel", "melanoma", "Melanoma", 1113),
  NV("nv", "melanocytic_Nevi", "Melanocytic nevus", 6705),
  VASC("vasc", "vascular_lesions", "Vascular lesion", 142);

  /** Images per diagnosis in HAM10000's 10,015: the synthetic set draws from these proportions. */
  public static final int HAM10000_IMAGES = 10_015;

  private final String code;
  private final String longName;
  private final String label;
  private final int ham10000Count;

  Diagnosis(String code, String longName, String label, int ham10000Count) {
    this.code = code;
    this.longName = longName;
    this.label = label;
    this.ham10000Count = ham10000Count;
  }

  public String code() {
    return code;
  }

  public String longName() {
    return longName;
  }

  /** As clinicians read it, for pages and tables. */
  public String label() {
    return label;
  }

  /** The payload values that mean this diagnosis: feeds may send either spelling. */
  public List<String> payloadValues() {
    return List.of(longName, code);
  }

  /**
   * A readable label for any payload value: ours where known, else the value with its underscores
   * spaced.
   */
  public static String labelOf(String value) {
    Optional<Diagnosis> known = parse(value);
    if (known.isPresent()) {
      return known.get().label;
    }
    String spaced = value == null ? "" : value.replace('_', ' ').trim();
    if (spaced.isEmpty()) {
      return "Diagnosis not recorded";
    }
    return spaced.substring(0, 1).toUpperCase(Locale.ROOT) + spaced.substring(1);
  }

  public double ham10000Share() {
    return (double) ham10000Count / HAM10000_IMAGES;
  }

  /**
   * Either spelling, ignoring case and surrounding blanks (the HF name {@code melanocytic_Nevi} has
   * a capital that hand-written data often drops).
   */
  public static Optional<Diagnosis> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    for (Diagnosis d : values()) {
      if (d.code.equals(t) || d.longName.toLowerCase(Locale.ROOT).equals(t)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** For messages that name what is accepted. */
  public static String accepted() {
    StringBuilder b = new StringBuilder();
    for (Diagnosis d : values()) {
      b.append(b.isEmpty() ? "" : ", ").append(d.code).append('/').append(d.longName);
    }
    return b.toString();
  }
}
