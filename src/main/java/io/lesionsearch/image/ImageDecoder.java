package io.lesionsearch.image;

import io.lesionsearch.image.ImageDecodeException.Reason;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG and PNG bytes to 8-bit RGB the way Pillow's {@code Image.open(f).convert("RGB")}
 * does, since that is what the Python tutorial feeds ViTImageProcessor. Sample values are read from
 * the raster, never through Java2D's colour management, which would apply gamma to greyscale and
 * ICC profiles to JPEGs where Pillow applies neither. The header is checked against the pixel limit
 * before any pixel memory is allocated.
 */
public final class ImageDecoder {

  /** 6000 x 6000: larger than any ISIC dermoscopy image, small enough that a few decode at once. */
  public static final long DEFAULT_MAX_PIXELS = 36_000_000L;

  private final long maxPixels;
  private final PixelBudget budget;
  private final Duration budgetWait;

  public ImageDecoder() {
    this(DEFAULT_MAX_PIXELS);
  }

  public ImageDecoder(long maxPixels) {
    this(maxPixels, null, Duration.ZERO);
  }

  /**
   * @param budget pixels shared with other decoders (null for none): each decode holds its image's
   *     pixels from it while it runs
   * @param budgetWait how long a decode waits for its pixels before it fails as BUSY
   */
  public ImageDecoder(long maxPixels, PixelBudget budget, Duration budgetWait) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
    }
    this.maxPixels = maxPixels;
    this.budget = budget;
    this.budgetWait = budgetWait;
  }

  public long maxPixels() {
    return maxPixels;
  }

  private static final ThreadLocal<Map<ImageFormat, ImageReader>> READERS =
      ThreadLocal.withInitial(() -> new EnumMap<>(ImageFormat.class));

  private static final int[] RGB_OFFSETS = {0, 1, 2};

  private static final ColorModel SRGB_BYTES =
      new ComponentColorModel(
          ColorSpace.getInstance(ColorSpace.CS_sRGB),
          false,
          false,
          Transparency.OPAQUE,
          DataBuffer.TYPE_BYTE);

  static {
    // ImageIO would otherwise spill large images to temporary files; we always decode from memory.
    ImageIO.setUseCache(false);
  }

  public RgbImage decode(byte[] data) throws ImageDecodeException {
    if (data == null || data.length == 0) {
      throw new ImageDecodeException(Reason.EMPTY, "image is empty (0 bytes)");
    }
    ImageFormat format = ImageFormat.sniff(data);
    if (format == null) {
      throw new ImageDecodeException(
          Reason.NOT_AN_IMAGE, "not an image: the data starts with no known image signature");
    }
    if (!format.supported()) {
      throw new ImageDecodeException(
          Reason.UNSUPPORTED_FORMAT, format + " images are not supported; send JPEG or PNG");
    }
    byte[] input = format == ImageFormat.JPEG ? JpegSegments.withoutIccProfile(data) : data;
    // Taken out of the thread's cache while in use, so a decode nested in a listener gets another.
    ImageReader reader = READERS.get().remove(format);
    if (reader == null) {
      reader = readerFor(format);
    }
    boolean reusable = false;
    try (ImageInputStream stream = new ByteArrayImageInputStream(input)) {
      reader.setInput(stream, true, true);
      // The JDK only warns about a premature end of JPEG data and fills the rest with grey; Pillow
      // refuses such files, and so do we rather than embed half an image.
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkSize(width, height);
      RgbImage rgb;
      try (PixelBudget.Lease pixels =
          budget == null ? null : budget.acquire((long) width * height, budgetWait)) {
        rgb =
            format == ImageFormat.JPEG && JpegSegments.componentCount(input) == 4
                ? CmykJpeg.toRgb(reader.readRaster(0, null), JpegSegments.adobeTransform(input))
                : format == ImageFormat.JPEG && decodesToBgr(reader)
                    ? readRgbOrder(reader, width, height)
                    : toRgb(reader.read(0));
      }
      if (!warnings.isEmpty()) {
        throw new ImageDecodeException(
            Reason.CORRUPT,
            format + " data is corrupt or truncated: " + String.join("; ", warnings));
      }
      reusable = true;
      return rgb;
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException(
          Reason.CORRUPT, format + " data is corrupt or truncated: " + describe(e), e);
    } finally {
      release(format, reader, reusable);
    }
  }

  /**
   * Keeps a reader that decoded cleanly for this thread's next image of the format; one that failed
   * is disposed rather than trusted again.
   */
  private static void release(ImageFormat format, ImageReader reader, boolean reusable) {
    if (reusable) {
      try {
        reader.reset();
        READERS.get().putIfAbsent(format, reader);
        return;
      } catch (RuntimeException e) {
        // fall through: a reader that cannot reset is not reused
      }
    }
    reader.dispose();
  }

  /**
   * Whether the reader would hand out 8-bit BGR, its layout for every 3-component JPEG: those are
   * read into RGB order instead, which the reader fills a row at a time with array copies, where
   * its BGR image takes a per-pixel path; the samples are the same.
   */
  private static boolean decodesToBgr(ImageReader reader) throws IOException {
    Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
    return types.hasNext() && types.next().getBufferedImageType() == BufferedImage.TYPE_3BYTE_BGR;
  }

  private static RgbImage readRgbOrder(ImageReader reader, int width, int height)
      throws IOException {
    byte[] rgb = new byte[width * height * 3];
    WritableRaster raster =
        Raster.createInterleavedRaster(
            new DataBufferByte(rgb, rgb.length), width, height, width * 3, 3, RGB_OFFSETS, null);
    ImageReadParam param = reader.getDefaultReadParam();
    param.setDestination(new BufferedImage(SRGB_BYTES, raster, false, null));
    reader.read(0, param);
    return RgbImage.packed(width, height, rgb);
  }

  private void checkSize(int width, int height) throws ImageDecodeException {
    if (width < 1 || height < 1) {
      throw new ImageDecodeException(
          Reason.CORRUPT, "image header gives no size: " + width + "x" + height);
    }
    if ((long) width * height > maxPixels) {
      throw new ImageDecodeException(
          Reason.TOO_LARGE,
          "image is "
              + width
              + "x"
              + height
              + " pixels, over the limit of "
              + maxPixels
              + " pixels");
    }
  }

  private static ImageReader readerFor(ImageFormat format) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.name());
    if (!readers.hasNext()) {
      throw new IllegalStateException("the JDK has no ImageIO reader for " + format);
    }
    return readers.next();
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** Pillow's convert("RGB") for each raster layout ImageIO produces from JPEG and PNG. */
  static RgbImage toRgb(BufferedImage image) {
    Raster raster = image.getRaster();
    RgbImage direct = InterleavedBytes.toRgb(raster, image.getColorModel());
    if (direct != null) {
      return direct;
    }
    ColorModel model = image.getColorModel();
    int width = raster.getWidth();
    int height = raster.getHeight();
    int bands = raster.getNumBands();
    int bits = raster.getSampleModel().getSampleSize(0);
    byte[] rgb = new byte[width * height * 3];
    int[] row = new int[width * bands];
    IndexColorModel palette = model instanceof IndexColorModel icm ? icm : null;
    int o = 0;
    for (int y = 0; y < height; y++) {
      raster.getPixels(0, y, width, 1, row);
      for (int x = 0; x < width; x++) {
        int p = x * bands;
        if (palette != null) {
          int index = row[p];
          rgb[o++] = (byte) palette.getRed(index);
          rgb[o++] = (byte) palette.getGreen(index);
          rgb[o++] = (byte) palette.getBlue(index);
        } else if (bands <= 2) {
          byte grey = (byte) greyTo8Bit(row[p], bits);
          rgb[o++] = grey;
          rgb[o++] = grey;
          rgb[o++] = grey;
        } else {
          rgb[o++] = (byte) colourTo8Bit(row[p], bits);
          rgb[o++] = (byte) colourTo8Bit(row[p + 1], bits);
          rgb[o++] = (byte) colourTo8Bit(row[p + 2], bits);
        }
      }
    }
    return RgbImage.packed(width, height, rgb);
  }

  /**
   * Pillow scales 1/2/4-bit grey up to 0..255, but opens 16-bit grey as a 32-bit integer image
   * whose conversion to RGB clips at 255 rather than scaling: we reproduce that, since it is what
   * the Python reference embeds.
   */
  private static int greyTo8Bit(int v, int bits) {
    return switch (bits) {
      case 8 -> v;
      case 16 -> Math.min(v, 255);
      default -> v * 255 / ((1 << bits) - 1);
    };
  }

  /** Pillow keeps the most significant byte of 16-bit colour samples. */
  private static int colourTo8Bit(int v, int bits) {
    return bits == 16 ? v >>> 8 : v;
  }
}
