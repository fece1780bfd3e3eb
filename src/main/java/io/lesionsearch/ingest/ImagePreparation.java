package io.lesionsearch.ingest;

import io.lesionsearch.embed.ImageBytesPreparation;
import io.lesionsearch.embed.ModelManifest;
import io.lesionsearch.embed.Preparation;
import io.lesionsearch.embed.Prepared;
import java.io.Serializable;

/**
 * One ingest message made ready for the model on a decode thread: its image read (inline bytes or a
 * confined image_uri), then decoded once for both the model's input and the payload's preview.
 */
final class ImagePreparation implements Preparation<ImageToEmbed> {

  /** How an operator makes its preparation when it opens; tests make ones that fail or hang. */
  @FunctionalInterface
  interface Factory extends Serializable {
    Preparation<ImageToEmbed> create(ModelManifest manifest, EmbedSettings settings);
  }

  private final ImageFiles files;
  private final ImageBytesPreparation bytes;

  ImagePreparation(ModelManifest manifest, EmbedSettings settings) {
    this.files = new ImageFiles(settings.imageRoots(), settings.images().maxBytes());
    this.bytes =
        new ImageBytesPreparation(manifest, settings.images().decoder(), settings.thumbnailSize());
  }

  @Override
  public Prepared prepare(ImageToEmbed image) throws Exception {
    return bytes.prepare(image.image() != null ? image.image() : files.read(image.imageUri()));
  }
}
