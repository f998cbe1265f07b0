package io.columnseal.crypto;

/**
 * A cell that authenticates but repeats the nonce of a cell already read under the same DEK.
 * Every cell a DEK seals has its own counter (docs/FORMAT.md section 2.2), so two cells with one
 * counter mean one was copied over another row's cell.
 */
public final class ReplayedCellException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public ReplayedCellException(String message) {
    super(message);
  }
}
