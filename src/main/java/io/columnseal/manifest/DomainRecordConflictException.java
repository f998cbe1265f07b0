package io.columnseal.manifest;

/** Another writer created the domain record this one wanted (a concurrent rewrap). */
public final class DomainRecordConflictException extends ManifestException {
  private static final long serialVersionUID = 1L;

  public DomainRecordConflictException(String domain, long number, String file) {
    super("domain record " + number + " of domain " + domain + " was written by another writer first (" + file
        + "); read the domain again and retry");
  }
}
