package io.columnseal.jobs.domain;

import io.columnseal.ColumnsealException;

/**
 * A domain record that the dataset does not vouch for (another key id), or a domain the
 * dataset needs that has no record. Names the domain, the store and key ids, never key bytes.
 */
public final class DomainKeyException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  public DomainKeyException(String message) {
    super(message);
  }
}
