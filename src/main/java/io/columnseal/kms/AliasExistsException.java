package io.columnseal.kms;

/** CreateKey or CreateAlias with an alias that already names a key (KMS AlreadyExistsException). */
public final class AliasExistsException extends KmsException {
  private static final long serialVersionUID = 1L;

  public AliasExistsException(String operation, String alias, String detail) {
    super(operation, alias, detail, null);
  }
}
