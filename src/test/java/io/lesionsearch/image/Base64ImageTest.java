package io.lesionsearch.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64ImageTest {

  private final byte[] bytes = new byte[3000];

  Base64ImageTest() {
    new Random(16).nextBytes(bytes);
  }

  @Test
  void unwrappedDecodes() {
    assertArrayEquals(bytes, Base64Image.decode(Base64.getEncoder().encodeToString(bytes), 4096));
  }

  @Test
  void lineBreaksAndSpacesAreDropped() {
    String wrapped = Base64.getMimeEncoder().encodeToString(bytes) + "\n ";
    assertTrue(wrapped.contains("\r\n"));
    assertArrayEquals(bytes, Base64Image.decode(wrapped, 4096));
  }

  @Test
  void anyOtherCharacterIsRefusedWrappedOrNot() {
    String text = Base64.getEncoder().encodeToString(bytes);
    String withStar = text.substring(0, 100) + "*" + text.substring(100);
    for (String bad : new String[] {withStar, "\n" + withStar}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Base64Image.decode(bad, 4096));
      assertTrue(e.getMessage().startsWith("image is not valid base64"), e.getMessage());
    }
  }

  @Test
  void tooLargeIsRefusedBeforeDecoding() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Base64Image.decode(Base64.getEncoder().encodeToString(bytes), 1000));
    assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
  }

  @Test
  void whitespaceOnlyIsEmpty() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Base64Image.decode(" \n", 4096));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }
}
