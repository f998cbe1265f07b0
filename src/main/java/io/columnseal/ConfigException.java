package io.columnseal;

/**
 * A configuration or usage error found before any Spark job or KMS call: a wrong key, a wrong
 * value, a column the input lacks. The message is one line that names the key and what is
 * allowed; the CLI prints it and exits with code 2.
 */
public final class ConfigException extends ColumnsealException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  /** "Cannot set KEY to VALUE, the value must be ALLOWED". */
  public static ConfigException badValue(String key, Object value, String allowed) {
    return new ConfigException("Cannot set " + key + " to " + value + ": the value must be " + allowed);
  }
}
