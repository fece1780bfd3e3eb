package io.lesionsearch.ingest;

import io.lesionsearch.embed.VitPreprocessor;
import io.lesionsearch.image.ImageDecoder;
import io.lesionsearch.image.RgbImage;
import io.lesionsearch.image.Thumbnails;
import java.io.Serializable;

/**
 * One image made ready for the model on a decode thread: read (inline bytes or a confined
 * image_uri), decoded once for both the model's input and the payload's preview.
 */
@FunctionalInterface
interface ImagePreparation {

  Prepared prepare(ImageToEmbed image) throws Exception;

  /** The model's input and, when asked for, the preview. */
  record Prepared(float[] tensor, String thumbnail) {}

  /** How an operator makes its preparation when it opens; tests make ones that fail or hang. */
  @FunctionalInterface
  interface Factory extends Serializable {
    ImagePreparation create(VitPreprocessor pre, ImageDecoder decoder, ImageFiles files, int thumbnailSize);
  }

  static ImagePreparation standard(VitPreprocessor pre, ImageDecoder decoder, ImageFiles files, int thumbnailSize) {
    return image -> {
      byte[] bytes = image.image() != null ? image.image() : files.read(image.imageUri());
      RgbImage rgb = decoder.decode(bytes);
      return new Prepared(pre.normalise(pre.resize(rgb)), thumbnailSize > 0 ? Thumbnails.base64Jpeg(rgb, thumbnailSize) : null);
    };
  }
}
