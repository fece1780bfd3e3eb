package io.lesionsearch.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RequestedByTest {

  @Property(tries = 2000)
  void acceptedExactlyWhenOneTo200CharactersWithoutControlOrFormat(@ForAll("names") String value) {
    boolean rulesHold =
        !value.isEmpty()
            && value.length() <= RequestedBy.MAX_CHARS
            && value
                .codePoints()
                .map(Character::getType)
                .noneMatch(t -> t == Character.CONTROL || t == Character.FORMAT);
    assertEquals(rulesHold, RequestedBy.isValid(value), () -> "for " + value.codePoints().count());
  }

  @Property(tries = 500)
  void aRefusalNeverRepeatsTheValue(@ForAll("names") String value) {
    RequestedBy.problem(value)
        .ifPresent(
            message -> {
              assertTrue(message.length() < 120, message);
              if (value.length() >= 8) {
                assertFalse(message.contains(value), message);
              }
            });
  }

  @Example
  void examples() {
    assertTrue(RequestedBy.isValid("dr.k@clinic.example"));
    assertTrue(RequestedBy.isValid("svc:web-gateway"));
    assertTrue(RequestedBy.isValid("Dr. Müller 🩺"));
    assertTrue(RequestedBy.isValid("x".repeat(200)));
    assertFalse(RequestedBy.isValid(""));
    assertFalse(RequestedBy.isValid(null));
    assertFalse(RequestedBy.isValid("x".repeat(201)));
    assertFalse(RequestedBy.isValid("alice\n{\"action\":\"search\"}"), "a forged audit line");
    assertFalse(RequestedBy.isValid("alice\u202Eevil"), "a right-to-left override hides text");
    assertFalse(RequestedBy.isValid("a\u200Bb"), "a zero-width space is a format character");
    assertFalse(RequestedBy.isValid("a\u0085b"), "C1 controls too");
  }

  /**
   * Printable strings on both sides of the length limit, short ones with control and format
   * characters mixed in, and arbitrary UTF-16 (surrogates and non-BMP included), so both answers
   * come up often.
   */
  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(260),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('\n', '\t', '\u0000', '\u007F', '\u0085', '\u200B', '\u202E', '\uFEFF')
            .ofMaxLength(30),
        Arbitraries.strings().all().ofMaxLength(20));
  }
}
