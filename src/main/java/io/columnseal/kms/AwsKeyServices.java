package io.columnseal.kms;

/**
 * Opens the AWS KMS backend for a spec. The caller caches the result (one per spec per JVM);
 * the SDK client inside is built on the first call, not here, so opening is cheap and makes
 * no network call.
 */
final class AwsKeyServices {
  private AwsKeyServices() {
  }

  static KeyService open(KeyServiceSpec spec) {
    return open(spec, AwsKmsOptions.defaults());
  }

  static KeyService open(KeyServiceSpec spec, AwsKmsOptions options) {
    if (spec.provider() != KeyServiceSpec.Provider.AWS) {
      throw new IllegalArgumentException("not an AWS key service spec: " + spec);
    }
    return new AwsKms(spec, options);
  }
}
