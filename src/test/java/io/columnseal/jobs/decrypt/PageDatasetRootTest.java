package io.columnseal.jobs.decrypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/** A file's path in its page-mode dataset (FORMAT.md 12.4), for a bucket root and a folder root. */
class PageDatasetRootTest {
  private static String relative(String root, String file) {
    return PageDataset.relative(PageDataset.rootOf(new Path(root)), new Path(file));
  }

  @Test
  void bucketRoot() {
    assertEquals("", PageDataset.rootOf(new Path("s3a://lake/")));
    assertEquals("country=FR/part-00000.c000.snappy.parquet",
        relative("s3a://lake/", "s3a://lake/country=FR/part-00000.c000.snappy.parquet"));
    assertEquals("part-00000.parquet", relative("s3a://lake/", "s3a://lake/part-00000.parquet"));
  }

  @Test
  void folderRootWithTrailingSlash() {
    assertEquals("/x/y", PageDataset.rootOf(new Path("file:/x/y/")));
    assertEquals("a=1/part-00000.parquet", relative("file:/x/y/", "file:/x/y/a=1/part-00000.parquet"));
    assertNull(relative("file:/x/y/", "file:/x/yz/part-00000.parquet"));
    assertNull(relative("file:/x/y/", "file:/x/part-00000.parquet"));
  }
}
