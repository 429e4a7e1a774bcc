package local.pipeline.connect.s3;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** S3 sink writing the Confluent layout as JSON lines: one object per topic-partition per offset flush, so an object is committed only once it is in S3. */
public class S3SinkConnector extends SinkConnector {
    static final String VERSION = "0.1.0";
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
}
