package io.columnseal.jobs.encrypt;

/** Key groups of column policies: the columns sealed under one master key share its DEKs. */
public final class KeyGroups {
  /**
   * The encryption context pair that names a DEK's key group (the configured key reference of
   * its columns). Only DEKs of a run with column policies carry it.
   */
  public static final String CONTEXT_KEY = "columnseal:keyGroup";

  private KeyGroups() {}
}
