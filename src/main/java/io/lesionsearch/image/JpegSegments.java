package io.lesionsearch.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the marker segments before a JPEG's scan data. Malformed headers are left for the decoder
 * to reject, so every method here is lenient and returns the input (or "unknown") when it cannot
 * parse.
 */
final class JpegSegments {

  private static final int SOS = 0xDA;
  private static final int APP2 = 0xE2;
  private static final int APP14 = 0xEE;
  private static final byte[] ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ADOBE_TAG = "Adobe".getBytes(StandardCharsets.US_ASCII);

  private JpegSegments() {}

  /**
   * Drops embedded ICC profiles: the JDK's JPEG reader colour-converts through them while Pillow
   * (and so the Python reference) ignores them.
   */
  static byte[] withoutIccProfile(byte[] jpeg) {
    ByteArrayOutputStream out = null;
    int copiedUpTo = 0;
    int p = 2;
    while (p + 4 <= jpeg.length && (jpeg[p] & 0xFF) == 0xFF) {
      int marker = jpeg[p + 1] & 0xFF;
      if (marker == 0xFF) {
        p++;
        continue;
      }
      if (marker == SOS || isStandalone(marker)) {
        break;
      }
      int length = ((jpeg[p + 2] & 0xFF) << 8) | (jpeg[p + 3] & 0xFF);
      int next = p + 2 + length;
      if (length < 2 || next > jpeg.length) {
        break;
      }
      if (marker == APP2 && hasTag(jpeg, p + 4, next, ICC_TAG)) {
        if (out == null) {
          out = new ByteArrayOutputStream(jpeg.length);
        }
        out.write(jpeg, copiedUpTo, p - copiedUpTo);
        copiedUpTo = next;
      }
      p = next;
    }
    if (out == null) {
      return jpeg;
    }
    out.write(jpeg, copiedUpTo, jpeg.length - copiedUpTo);
    return out.toByteArray();
  }

  /** Number of colour components in the frame header, or -1 when there is none before the scan. */
  static int componentCount(byte[] jpeg) {
    int sof = findSegment(jpeg, JpegSegments::isStartOfFrame, null);
    return sof < 0 || sof + 9 >= jpeg.length ? -1 : jpeg[sof + 9] & 0xFF;
  }

  /**
   * The Adobe APP14 colour transform (0 = none/CMYK, 1 = YCbCr, 2 = YCCK), or -1 without that
   * marker.
   */
  static int adobeTransform(byte[] jpeg) {
    int app14 = findSegment(jpeg, m -> m == APP14, ADOBE_TAG);
    return app14 < 0 || app14 + 15 >= jpeg.length ? -1 : jpeg[app14 + 15] & 0xFF;
  }

  private static int findSegment(byte[] jpeg, java.util.function.IntPredicate wanted, byte[] tag) {
    int p = 2;
    while (p + 4 <= jpeg.length && (jpeg[p] & 0xFF) == 0xFF) {
      int marker = jpeg[p + 1] & 0xFF;
      if (marker == 0xFF) {
        p++;
        continue;
      }
      if (marker == SOS || isStandalone(marker)) {
        return -1;
      }
      int length = ((jpeg[p + 2] & 0xFF) << 8) | (jpeg[p + 3] & 0xFF);
      int next = p + 2 + length;
      if (length < 2 || next > jpeg.length) {
        return -1;
      }
      if (wanted.test(marker) && (tag == null || hasTag(jpeg, p + 4, next, tag))) {
        return p;
      }
      p = next;
    }
    return -1;
  }

  private static boolean isStartOfFrame(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
  }

  private static boolean isStandalone(int marker) {
    return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9);
  }

  private static boolean hasTag(byte[] data, int from, int end, byte[] tag) {
    if (from + tag.length > end) {
      return false;
    }
    for (int i = 0; i < tag.length; i++) {
      if (data[from + i] != tag[i]) {
        return false;
      }
    }
    return true;
  }
}
