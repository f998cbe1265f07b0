package io.columnseal.crypto.protect;

/**
 * The {@code mask} protection (docs/FORMAT.md section 10.5): irreversible, no key. Counts
 * Unicode code points; every masked code point becomes one mask character, so the length stays.
 * At least {@value #MIN_MASKED} characters are always masked: a value too short for its style
 * keeps only its last 4 ({@code FIRST6_LAST4}), and one too short for that is masked entirely.
 * Thread-safe (immutable).
 */
public final class Masker {
  public static final char DEFAULT_MASK_CHAR = '*';
  /** Never fewer masked characters: 10^6 digit values, as fpe's floor. */
  public static final int MIN_MASKED = 6;

  private final MaskStyle style;
  private final char maskChar;

  private Masker(MaskStyle style, char maskChar) {
    this.style = style;
    this.maskChar = maskChar;
  }

  /** @param maskChar not a digit, a letter or a surrogate, so a mask never reads as data */
  public static Masker of(MaskStyle style, char maskChar) {
    if (style == null) {
      throw new IllegalArgumentException("mask needs a style");
    }
    if (Character.isLetterOrDigit(maskChar) || Character.isSurrogate(maskChar)) {
      throw new IllegalArgumentException("mask character must not be a letter, a digit or a surrogate");
    }
    return new Masker(style, maskChar);
  }

  public static Masker of(MaskStyle style) {
    return of(style, DEFAULT_MASK_CHAR);
  }

  public MaskStyle style() {
    return style;
  }

  public String mask(String value) {
    if (value == null) {
      throw new IllegalArgumentException("a null has no mask; keep it null");
    }
    int n = value.codePointCount(0, value.length());
    int first = style.first();
    int last = style.last();
    if (n - first - last < MIN_MASKED) {
      first = 0;
    }
    if (n - first - last < MIN_MASKED) {
      last = 0;
    }
    int headEnd = value.offsetByCodePoints(0, first);
    int tailStart = value.offsetByCodePoints(0, n - last);
    StringBuilder out = new StringBuilder(value.length());
    out.append(value, 0, headEnd);
    for (int i = first; i < n - last; i++) {
      out.append(maskChar);
    }
    out.append(value, tailStart, value.length());
    return out.toString();
  }

  /**
   * True when {@code value} has the shape this masker writes (for verify): every character it
   * would mask is the mask character. A mask of a mask is the same string.
   */
  public boolean hasMaskShape(String value) {
    return value != null && value.equals(mask(value)) && (value.isEmpty() || value.indexOf(maskChar) >= 0);
  }

  @Override
  public String toString() {
    return "Masker[" + style + "]";
  }
}
