package local.pipeline.connect.s3;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

public class S3SinkTask extends SinkTask {
    private static final class Buf {
        final long startOffset; final ByteArrayOutputStream out = new ByteArrayOutputStream(); int count;
        Buf(long startOffset) { this.startOffset = startOffset; }
    }

    private S3Client s3;
    private String bucket;
    private String template;
    private final Map<TopicPartition, Buf> buffers = new HashMap<>();
    private final JsonConverter json = new JsonConverter();

    @Override public String version() { return S3SinkConnector.VERSION; }

    @Override public void start(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(S3SinkConfig.CONFIG_DEF, props);
        bucket = c.getString(S3SinkConfig.BUCKET);
        template = c.getString(S3SinkConfig.TEMPLATE);
        json.configure(Map.of("schemas.enable", "false", "converter.type", "value"));
        S3ClientBuilder b = S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.of(c.getString(S3SinkConfig.REGION)))
            .forcePathStyle(c.getBoolean(S3SinkConfig.PATH_STYLE))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
        String endpoint = c.getString(S3SinkConfig.ENDPOINT);
        if (endpoint != null && !endpoint.isBlank()) b.endpointOverride(URI.create(endpoint));
        Password ak = c.getPassword(S3SinkConfig.ACCESS_KEY), sk = c.getPassword(S3SinkConfig.SECRET_KEY);
        if (ak != null && sk != null) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ak.value(), sk.value())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        s3 = b.build();
    }

    @Override public void put(Collection<SinkRecord> records) {
        for (SinkRecord r : records) {
            if (r.value() == null) continue; // tombstones are skipped
            TopicPartition tp = new TopicPartition(r.topic(), r.kafkaPartition());
            Buf buf = buffers.computeIfAbsent(tp, k -> new Buf(r.kafkaOffset()));
            byte[] line;
            Object v = r.value();
            if (v instanceof byte[]) line = (byte[]) v;
            else if (v instanceof String) line = ((String) v).getBytes(StandardCharsets.UTF_8);
            else line = json.fromConnectData(r.topic(), r.valueSchema(), v);
            buf.out.write(line, 0, line.length);
            buf.out.write('\n');
            buf.count++;
        }
    }

    /**
     * Uploads happen only here: Connect commits offsets after flush succeeds and rewinds to the
     * last commit when it fails, and the key carries the start offset, so a retry overwrites the
     * same object. Nothing is lost and nothing doubled.
     */
    @Override public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            for (TopicPartition tp : buffers.keySet().toArray(new TopicPartition[0])) upload(tp);
        } catch (ConnectException e) {
            // Connect rewinds every partition to its last commit, so the records still buffered
            // come again: keeping them would write them twice into the next object.
            buffers.clear();
            throw e;
        }
    }

    private void upload(TopicPartition tp) {
        Buf buf = buffers.remove(tp);
        if (buf == null || buf.count == 0) return;
        String key = template.replace("{{topic}}", tp.topic())
            .replace("{{partition}}", Integer.toString(tp.partition()))
            .replace("{{start_offset}}", Long.toString(buf.startOffset));
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/x-ndjson").build(),
                         RequestBody.fromBytes(buf.out.toByteArray()));
        } catch (RuntimeException e) {
            // Connect retries the batch from the last committed offset after a failed flush
            throw new ConnectException("Failed to upload s3://" + bucket + "/" + key, e);
        }
    }

    @Override public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) buffers.remove(tp); // not committed -> re-delivered on reassignment
    }

    @Override public void stop() { if (s3 != null) s3.close(); }
}
