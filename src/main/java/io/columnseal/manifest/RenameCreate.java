package io.columnseal.manifest;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Create-if-absent on HDFS: write and hsync a temp file, then rename it without overwrite. HDFS
 * performs that rename in the NameNode as one atomic step that fails with
 * FileAlreadyExistsException if the target exists ({@code FileContext.rename} with
 * {@code Options.Rename.NONE}). On file systems that emulate rename (object stores, and the
 * local file system through FileContext) the check and the rename are separate steps, which is
 * why {@link AtomicCreate#forScheme} uses this for {@code hdfs} only.
 */
final class RenameCreate implements AtomicCreate {

  @Override
  public boolean createIfAbsent(FileSystem fs, Path target, byte[] content) throws IOException {
    Path qualified = fs.makeQualified(target);
    Path temp = new Path(qualified.getParent(), CommitLog.tempName(qualified));
    fs.mkdirs(qualified.getParent());
    try {
      try (FSDataOutputStream out = fs.create(temp, false)) {
        out.write(content);
        out.hsync();
      }
      FileContext fc = FileContext.getFileContext(fs.getUri(), fs.getConf());
      try {
        fc.rename(temp, qualified, Options.Rename.NONE);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
      return true;
    } finally {
      fs.delete(temp, false);
    }
  }
}
