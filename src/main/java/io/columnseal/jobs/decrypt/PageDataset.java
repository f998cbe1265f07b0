package io.columnseal.jobs.decrypt;

import io.columnseal.crypto.DekId;
import io.columnseal.jobs.dataset.DatasetFiles;
import io.columnseal.jobs.dataset.DatasetSnapshot;
import io.columnseal.jobs.dataset.KeyTrust;
import io.columnseal.jobs.dataset.WrappedDek;
import io.columnseal.kms.KeyServiceSpec;
import io.columnseal.kms.KeyServices;
import io.columnseal.manifest.FileRecord;
import io.columnseal.manifest.ManifestMacKey;
import io.columnseal.manifest.ManifestState;
import io.columnseal.manifest.ManifestStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What {@link PageDecryption} needs of a page-mode dataset, read once per JVM per dataset, version
 * and reader settings: the live files with the DEKs each is bound to, the DEK table, the key
 * service. Trust (kms.allowedKeys) and the manifest MAC (manifest.macKey) are checked when it is
 * read. No key material. An unpinned read is read again after {@link #UNPINNED_MILLIS}, so a
 * long-lived JVM sees later commits, and at once before a file or DEK it does not know is
 * refused ({@link #reread}): a dataset overwritten or appended to since is then read right.
 */
final class PageDataset {
  static final long UNPINNED_MILLIS = 30_000;
  private static final ConcurrentHashMap<String, PageDataset> CACHE = new ConcurrentHashMap<>();

  final String datasetId;
  /** The path part of the qualified dataset root's URI, without a trailing slash (empty: bucket root). */
  final String root;
  final KeyServiceSpec keyService;
  /** Live file (relative path) -> its bound DEK ids, sorted. */
  private final Map<String, long[]> bound;
  private final Map<Long, WrappedDek> deks;
  /** Encrypted column -> its key group (FORMAT.md 12.1). */
  private final Map<String, String> columnGroups;
  private final long readMillis;
  private final boolean pinned;

  private PageDataset(String datasetId, String root, KeyServiceSpec keyService, Map<String, long[]> bound,
      Map<Long, WrappedDek> deks, Map<String, String> columnGroups, boolean pinned) {
    this.datasetId = datasetId;
    this.root = root;
    this.keyService = keyService;
    this.bound = bound;
    this.deks = deks;
    this.columnGroups = columnGroups;
    this.readMillis = System.currentTimeMillis();
    this.pinned = pinned;
  }

  /** The dataset the reader settings in {@code conf} name (PageDecryption's keys). */
  static PageDataset of(Configuration conf) {
    PageReaderSettings s = PageReaderSettings.of(conf);
    String cacheKey = s.cacheKey();
    PageDataset d = CACHE.get(cacheKey);
    if (d == null || (!d.pinned && System.currentTimeMillis() - d.readMillis > UNPINNED_MILLIS)) {
      d = load(conf, s);
      CACHE.put(cacheKey, d);
    }
    return d;
  }

  /**
   * The dataset as the manifest says now, when this unpinned read may be stale (a file or DEK it
   * does not know is about to be refused); this one when pinned to a version, which cannot change.
   */
  PageDataset reread(Configuration conf) {
    if (pinned) {
      return this;
    }
    PageReaderSettings s = PageReaderSettings.of(conf);
    PageDataset fresh = load(conf, s);
    CACHE.put(s.cacheKey(), fresh);
    return fresh;
  }

  private static PageDataset load(Configuration conf, PageReaderSettings s) {
    Path rootPath;
    try {
      Path p = new Path(s.dataset);
      rootPath = p.getFileSystem(conf).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve dataset path " + s.dataset, e);
    }
    ManifestMacKey macKey = KeyTrust.macKey(s.keyService, s.macKey);
    ManifestState state;
    if (s.version == null) {
      state = DatasetSnapshot.open(conf, s.dataset, s.manifestPath, macKey).state;
    } else {
      state = ManifestStore.at(DatasetFiles.manifestDir(s.dataset, s.manifestPath), conf).withMacKey(macKey)
          .readAt(s.version);
    }
    KeyTrust.check(KeyTrust.parse(s.allowedKeys), state, KeyServices.shared(s.keyService), "page read");
    Map<String, long[]> bound = new HashMap<>();
    for (String f : state.liveFiles()) {
      // Page mode's files are always bound (format 6); an unbound one names no DEK a reader may use.
      long[] ids = state.boundFile(f).map(FileRecord::deks).orElse(java.util.List.of()).stream()
          .mapToLong(DekId::asLong).sorted().toArray();
      bound.put(f, ids);
    }
    Map<String, String> groups = new HashMap<>();
    state.schema().stream().filter(io.columnseal.manifest.ColumnRecord::encrypted)
        .forEach(c -> groups.put(c.name(), io.columnseal.jobs.dataset.PageFormat.keyGroup(c)));
    return new PageDataset(state.datasetId(), rootOf(rootPath), s.keyService, bound,
        DatasetSnapshot.dekTable(state), groups, s.version != null);
  }

  /** The file's path relative to the dataset root, or null when it is not under the root. */
  String relative(Path file) {
    return relative(root, file);
  }

  /**
   * The path part of a qualified dataset root without its trailing slashes: a bucket root
   * ({@code s3a://lake/}, path {@code /}) is the empty string, so its files' prefix is {@code /}.
   */
  static String rootOf(Path qualifiedRoot) {
    String r = qualifiedRoot.toUri().getPath();
    int end = r.length();
    while (end > 0 && r.charAt(end - 1) == '/') {
      end--;
    }
    return r.substring(0, end);
  }

  static String relative(String root, Path file) {
    String p = file.toUri().getPath();
    return p.startsWith(root + "/") && p.length() > root.length() + 1 ? p.substring(root.length() + 1) : null;
  }

  /** The DEKs the manifest binds the live file {@code relative} to; null when it is not live. */
  long[] boundDeks(String relative) {
    return relative == null ? null : bound.get(relative);
  }

  static boolean allows(long[] bound, long dek) {
    return Arrays.binarySearch(bound, dek) >= 0;
  }

  WrappedDek dek(long id) {
    return deks.get(id);
  }

  /** The key group of encrypted column {@code column}; null when it is not one. */
  String columnGroup(String column) {
    return columnGroups.get(column);
  }

  /** Drops every cached dataset (tests; a job that wants a fresh read). */
  static void clearCache() {
    CACHE.clear();
  }
}
