/**
 * The key manifest: a versioned log of immutable, numbered commit files that records a
 * dataset's schema, its wrapped DEKs (never plaintext keys), its data files and every operation
 * on it. {@link io.columnseal.manifest.ManifestStore} reads and writes it on any Hadoop file
 * system; the format is docs/FORMAT.md section 5. No Spark import here.
 */
package io.columnseal.manifest;
