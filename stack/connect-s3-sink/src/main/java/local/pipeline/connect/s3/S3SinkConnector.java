package local.pipeline.connect.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** S3 sink writing the Confluent layout as JSON lines (see {@link S3SinkTask} for when objects are cut); an offset is committed only once its object is in S3. */
public class S3SinkConnector extends SinkConnector {
    static final String VERSION = readVersion();
    private Map<String, String> props;

    @Override public String version() { return VERSION; }
    @Override public void start(Map<String, String> props) {
        S3SinkConfig.CONFIG_DEF.parse(props); // fail fast on bad config
        this.props = new HashMap<>(props);
    }
    @Override public Class<? extends Task> taskClass() { return S3SinkTask.class; }
    @Override public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> cfgs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) cfgs.add(new HashMap<>(props));
        return cfgs;
    }
    @Override public void stop() { }
    @Override public ConfigDef config() { return S3SinkConfig.CONFIG_DEF; }

    private static String readVersion() {
        try (InputStream in = S3SinkConnector.class.getResourceAsStream("version.properties")) {
            if (in == null) throw new IllegalStateException("version.properties is missing from the plugin jar: rebuild it with `deno task stack:install`");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read version.properties from the plugin jar", e);
        }
    }
}
