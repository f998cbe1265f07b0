package io.columnseal.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * HDFS (one NameNode, one DataNode) and YARN (one ResourceManager, one NodeManager) in this JVM,
 * on localhost only, with a Hadoop configuration folder that spark-submit reads as EMR's
 * {@code /etc/hadoop/conf}. Sized for two shared cores: the NodeManager offers 3 GB and 4
 * vcores, enough for a driver (the ApplicationMaster) and one executor at a time.
 */
final class YarnCluster implements AutoCloseable {
  final MiniDFSCluster dfs;
  final MiniYARNCluster yarn;
  final Path confDir;
  final Path containerLogs;

  private YarnCluster(MiniDFSCluster dfs, MiniYARNCluster yarn, Path confDir, Path containerLogs) {
    this.dfs = dfs;
    this.yarn = yarn;
    this.confDir = confDir;
    this.containerLogs = containerLogs;
  }

  static YarnCluster start(Path dir) throws IOException {
    Configuration hdfsConf = new Configuration();
    hdfsConf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    hdfsConf.set("dfs.namenode.http-address", "127.0.0.1:0");
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(hdfsConf, dir.resolve("hdfs").toFile())
        .numDataNodes(1).nameNodePort(0).build();
    dfs.waitActive();

    YarnConfiguration conf = new YarnConfiguration();
    conf.set("fs.defaultFS", dfs.getURI().toString());
    // FIFO: the capacity scheduler keeps 90% of a queue away from ApplicationMasters.
    conf.set(YarnConfiguration.RM_SCHEDULER, "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 3072);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 2048);
    conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    // A nearly full build disk must not mark the only NodeManager unhealthy.
    conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100.0f);
    for (String key : List.of(YarnConfiguration.RM_WEBAPP_ADDRESS, YarnConfiguration.NM_WEBAPP_ADDRESS,
        YarnConfiguration.NM_LOCALIZER_ADDRESS, YarnConfiguration.NM_ADDRESS, YarnConfiguration.NM_COLLECTOR_SERVICE_ADDRESS)) {
      conf.set(key, "localhost:0");
    }
    conf.setBoolean(YarnConfiguration.TIMELINE_SERVICE_ENABLED, false);
    conf.setBoolean("yarn.webapp.ui2.enable", false);
    MiniYARNCluster yarn = new MiniYARNCluster("columnseal-yarn-it", 1, 1, 1);
    yarn.init(conf);
    yarn.start();

    Path confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
    Configuration live = yarn.getConfig();
    writeXml(confDir.resolve("core-site.xml"), Map.of("fs.defaultFS", dfs.getURI().toString()));
    writeXml(confDir.resolve("yarn-site.xml"), Map.of(
        YarnConfiguration.RM_ADDRESS, live.get(YarnConfiguration.RM_ADDRESS),
        YarnConfiguration.RM_SCHEDULER_ADDRESS, live.get(YarnConfiguration.RM_SCHEDULER_ADDRESS),
        YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS, live.get(YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS),
        YarnConfiguration.RM_WEBAPP_ADDRESS, live.get(YarnConfiguration.RM_WEBAPP_ADDRESS)));
    // MiniYARNCluster gives each NodeManager log folders of its own, under target/test/data.
    Path nmLogs = Path.of(yarn.getNodeManager(0).getConfig().get(YarnConfiguration.NM_LOG_DIRS).split(",")[0]);
    return new YarnCluster(dfs, yarn, confDir, nmLogs);
  }

  /** {@code hdfs://127.0.0.1:port} + path. */
  String hdfs(String path) {
    return dfs.getURI() + path;
  }

  FileSystem fileSystem() throws IOException {
    return dfs.getFileSystem();
  }

  Configuration hadoopConf() {
    Configuration c = new Configuration();
    c.set("fs.defaultFS", dfs.getURI().toString());
    return c;
  }

  /** The driver's (the ApplicationMaster container's, {@code ..._000001}) stdout of the last app. */
  String lastDriverStdout() throws IOException {
    try (Stream<Path> files = Files.walk(containerLogs)) {
      Path stdout = files.filter(p -> p.getFileName().toString().equals("stdout")
              && p.getParent().getFileName().toString().endsWith("_000001"))
          .max(java.util.Comparator.comparing(Path::toString))
          .orElseThrow(() -> new AssertionError("no driver container log under " + containerLogs));
      return Files.readString(stdout);
    }
  }

  private static void writeXml(Path file, Map<String, String> values) throws IOException {
    Configuration c = new Configuration(false);
    values.forEach(c::set);
    try (OutputStream out = Files.newOutputStream(file)) {
      c.writeXml(out);
    }
  }

  @Override
  public void close() throws IOException {
    yarn.stop();
    dfs.shutdown();
  }
}
