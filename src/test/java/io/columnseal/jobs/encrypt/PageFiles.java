package io.columnseal.jobs.encrypt;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/** The raw Thrift footer of a plaintext-footer PME file, read as any implementer would (FORMAT.md section 12). */
public final class PageFiles {
  private PageFiles() {}

  /** The footer's FileMetaData; the 28-byte signature (nonce, tag) after it is left alone. */
  public static FileMetaData footer(Path file) {
    try {
      byte[] all = Files.readAllBytes(file);
      int n = all.length;
      String magic = new String(all, n - 4, 4, StandardCharsets.US_ASCII);
      if (!magic.equals("PAR1")) {
        throw new IllegalStateException(file + " ends with " + magic + ", not PAR1 (a plaintext footer)");
      }
      int len = ByteBuffer.wrap(all, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      return Util.readFileMetaData(new ByteArrayInputStream(all, n - 8 - len, len));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Key metadata of column {@code name} in every row group, as ASCII; null where it is not encrypted. */
  public static List<String> columnKeyMetadata(FileMetaData footer, String name) {
    List<String> out = new ArrayList<>();
    for (RowGroup g : footer.getRow_groups()) {
      for (ColumnChunk c : g.getColumns()) {
        String path = c.isSetMeta_data() ? String.join(".", c.getMeta_data().getPath_in_schema()) : null;
        if (path != null && !path.equals(name)) {
          continue;
        }
        if (path == null && !c.isSetCrypto_metadata()) {
          continue;
        }
        if (!c.isSetCrypto_metadata()) {
          out.add(null);
        } else if (c.getCrypto_metadata().isSetENCRYPTION_WITH_COLUMN_KEY()) {
          if (!String.join(".", c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getPath_in_schema()).equals(name)) {
            continue;
          }
          out.add(new String(c.getCrypto_metadata().getENCRYPTION_WITH_COLUMN_KEY().getKey_metadata(),
              StandardCharsets.US_ASCII));
        } else {
          out.add("footer key");
        }
      }
    }
    return out;
  }

  /** The data files of a dataset folder (not under _columnseal or _temporary), sorted. */
  public static List<Path> dataFiles(Path dataset) {
    try (Stream<Path> s = Files.walk(dataset)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .filter(p -> !dataset.relativize(p).toString().startsWith("_")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
