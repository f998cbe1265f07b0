package io.columnseal.jobs.dataset;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;

/**
 * A page-mode file's raw Thrift footer, read from the file's tail as any implementer reads it (no
 * key needed, nothing verified): verify checks it, and page readers check each read column's
 * crypto metadata in it before Parquet decrypts (docs/FORMAT.md 12.5).
 */
public final class PlaintextFooter {
  /** Footer tail: 4-byte little-endian footer length, then the magic. */
  private static final int TAIL = 8;

  private PlaintextFooter() {}

  /** A file that does not end in a plaintext Parquet footer; the message follows "file <name> ". */
  public static final class NoFooter extends IOException {
    private static final long serialVersionUID = 1L;
    /** verify's check name: {@code page-footer} for an encrypted footer, else {@code unreadable-file}. */
    public final String check;

    NoFooter(String check, String message) {
      super(message);
      this.check = check;
    }
  }

  /** The footer of {@code p}; {@link NoFooter} when it does not end in a plaintext one. */
  public static FileMetaData read(Configuration conf, Path p) throws IOException {
    FileSystem fs = p.getFileSystem(conf);
    long len = fs.getFileStatus(p).getLen();
    if (len < TAIL + 4) {
      throw new NoFooter("unreadable-file", "is " + len + " bytes, too short for Parquet");
    }
    try (FSDataInputStream in = fs.open(p)) {
      byte[] tail = new byte[TAIL];
      in.readFully(len - TAIL, tail);
      String magic = new String(tail, 4, 4, StandardCharsets.US_ASCII);
      if (magic.equals("PARE")) {
        throw new NoFooter("page-footer", "has an encrypted footer (PARE); page mode writes a plaintext footer");
      }
      int footerLen = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (!magic.equals("PAR1") || footerLen <= 0 || footerLen > len - TAIL - 4) {
        throw new NoFooter("unreadable-file", "does not end in a Parquet footer");
      }
      byte[] footer = new byte[footerLen];
      in.readFully(len - TAIL - footerLen, footer);
      return Util.readFileMetaData(new ByteArrayInputStream(footer));
    }
  }

  /** The chunk's column path: from its (plaintext-footer) metadata, else from its crypto metadata. */
  public static String columnName(ColumnChunk c) {
    if (c.isSetMeta_data()) {
      return String.join(".", c.getMeta_data().getPath_in_schema());
    }
    if (c.isSetCrypto_metadata() && c.getCrypto_metadata().isSetENCRYPTION_WITH_COLUMN_KEY()) {
      return String.join(".", c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getPath_in_schema());
    }
    return "(unnamed)";
  }
}
