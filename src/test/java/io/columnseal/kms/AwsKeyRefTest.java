package io.columnseal.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which key references {@link AwsKms} sends to KMS, and which answered key ARNs it accepts for them. */
class AwsKeyRefTest {
  static final String ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String ARN = "arn:aws:kms:us-east-1:111122223333:key/" + ID;

  @ParameterizedTest
  @ValueSource(strings = {ID, "mrk-1234abcd12ab34cd56ef1234567890ab", ARN, "alias/cards", "alias/team/cards_2-x",
      "arn:aws:kms:us-east-1:111122223333:alias/cards", "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/" + ID})
  void theFourFormsAreWellFormed(String ref) {
    assertNull(AwsKeyRef.problem(ref));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cards", "alias/", "alias/has space", "1234abcd-12ab-34cd-56ef-1234567890a",
      "arn:aws:kms:us-east-1:111122223333:key/cards", "arn:aws:s3:::bucket", "arn:aws:kms:us-east-1:1111:key/" + ID,
      "0123456789abcdef0123456789abcdef0123456789", " " + ID})
  void anythingElseIsDescribedByItsLengthOnly(String ref) {
    assertEquals("the key is not a key id, key ARN, alias name or alias ARN (" + ref.length() + " characters)",
        AwsKeyRef.problem(ref));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      ARN + "|" + ARN + "|",
      ARN + "|arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000|"
          + "KMS answered with key arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000 but "
          + ARN + " was asked for",
      ID + "|" + ARN + "|",
      ID + "|arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000|"
          + "KMS answered with key arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000 but key id "
          + ID + " was asked for",
      "arn:aws:kms:us-east-1:111122223333:alias/cards|" + ARN + "|",
      "arn:aws:kms:eu-west-1:111122223333:alias/cards|" + ARN + "|KMS answered with key " + ARN
          + ", outside the account and region of arn:aws:kms:eu-west-1:111122223333:alias/cards",
      "alias/cards|" + ARN + "|",
      "alias/cards|arn:aws:kms:us-east-1:111122223333:alias/cards|KMS answered without a key ARN",
      ARN + "||KMS answered without a key ARN"})
  void anAnsweredKeyArnMustBeTheKeyAskedFor(String requested, String answered, String problem) {
    assertEquals(problem, AwsKeyRef.answerProblem(requested, answered));
  }
}
