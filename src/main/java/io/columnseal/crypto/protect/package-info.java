/**
 * Column protections besides randomized cells (docs/FORMAT.md section 10), as pure crypto
 * primitives: no Spark, no manifest, no KMS.
 *
 * <p>Per executor task: obtain the domain's 32-byte key (however the job layer unwraps it) as a
 * {@link io.columnseal.crypto.protect.DomainKey}, open the primitive the column needs, use it
 * for every row of the partition, close it, destroy the key:
 *
 * <pre>{@code
 * try (DomainKey key = DomainKey.of("pan", keyId, keyBytes);
 *      DeterministicCipher det = DeterministicCipher.open(key);
 *      FormatPreservingCipher fpe = FormatPreservingCipher.open(key, FpeOptions.PAN_6_4_LUHN);
 *      Tokenizer tok = Tokenizer.open(key, Tokenizer.DEFAULT_TOKEN_BYTES)) {
 *   byte[] cell = det.seal(column, plaintext);      // plaintext: ValueCodec encoding, or sealValue(column, value)
 *   String digits = fpe.encrypt("card_number", pan); // FpeInputException: not digits, too short, bad Luhn
 *   String token = tok.token(column, plaintext);
 * }
 * String masked = Masker.of(MaskStyle.FIRST6_LAST4).mask(pan);  // no key, thread-safe
 * }</pre>
 *
 * The ciphers are not thread-safe (one per task, as {@code CellEncryptor}). A deterministic cell
 * starts with {@code 0x02} ({@link io.columnseal.crypto.protect.DeterministicCipher#looksLikeCell}),
 * a randomized one with {@code 0x01}. Errors name columns, domains, key ids and lengths, never
 * values or key bytes.
 */
package io.columnseal.crypto.protect;
