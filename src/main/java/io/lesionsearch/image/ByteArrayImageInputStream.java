package io.lesionsearch.image;

import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO stream read straight from the message's byte array. {@code
 * ImageIO.createImageInputStream} would look the stream type up in the service registry for every
 * image and copy every byte into a cache of its own first.
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {

  private final byte[] data;

  ByteArrayImageInputStream(byte[] data) {
    this.data = data;
  }

  @Override
  public int read() {
    bitOffset = 0;
    return streamPos < data.length ? data[(int) streamPos++] & 0xFF : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    bitOffset = 0;
    if (len == 0) {
      return 0;
    }
    if (streamPos >= data.length) {
      return -1;
    }
    int n = (int) Math.min(len, data.length - streamPos);
    System.arraycopy(data, (int) streamPos, b, off, n);
    streamPos += n;
    return n;
  }

  @Override
  public long length() {
    return data.length;
  }
}
