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
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

/**
 * Two ways to cut objects. Without flush.size, a partition's buffer becomes one object at each
 * offset flush of the worker (offset.flush.interval.ms), whatever it holds. With flush.size, as
 * Confluent's sink: an object is uploaded as soon as it holds flush.size records, and only the
 * offsets of uploaded objects are committed, so a partial object waits for its last records (or
 * is read again from Kafka after a restart).
 */
public class S3SinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(S3SinkTask.class);
    private static final long RETRY_BACKOFF_MS = 1000;

    private static final class Buf {
        final long startOffset; final ByteArrayOutputStream out = new ByteArrayOutputStream(); int count;
        Buf(long startOffset) { this.startOffset = startOffset; }
    }

    private S3Client s3;
    private String bucket;
    private String template;
    private int pad;
    private Integer flushSize;
    private final Map<TopicPartition, Buf> buffers = new HashMap<>();
    /** Offset after the last record taken per partition: a batch Connect delivers again after a failed put is not buffered twice. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /** With flush.size: offset after the last uploaded object per partition, the one preCommit gives Connect. */
    private final Map<TopicPartition, OffsetAndMetadata> uploaded = new HashMap<>();
    private final JsonConverter json = new JsonConverter();

    @Override public String version() { return S3SinkConnector.VERSION; }

    @Override public void start(Map<String, String> props) {
        AbstractConfig c = new AbstractConfig(S3SinkConfig.CONFIG_DEF, props);
        bucket = c.getString(S3SinkConfig.BUCKET);
        template = c.getString(S3SinkConfig.TEMPLATE);
        pad = c.getInt(S3SinkConfig.OFFSET_PAD);
        flushSize = c.getInt(S3SinkConfig.FLUSH_SIZE);
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
        // Objects left full by a failed upload go first, so a buffer never grows past flush.size.
        if (flushSize != null) {
            for (TopicPartition tp : buffers.keySet().toArray(new TopicPartition[0])) {
                if (buffers.get(tp).count >= flushSize) uploadFull(tp);
            }
        }
        for (SinkRecord r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.kafkaPartition());
            Long expected = next.get(tp);
            if (expected != null && r.kafkaOffset() < expected) continue; // taken before a failed put
            next.put(tp, r.kafkaOffset() + 1);
            if (r.value() == null) { // tombstones are skipped
                if (flushSize != null && !buffers.containsKey(tp)) uploaded.put(tp, new OffsetAndMetadata(r.kafkaOffset() + 1));
                continue;
            }
            Buf buf = buffers.computeIfAbsent(tp, k -> new Buf(r.kafkaOffset()));
            byte[] line;
            Object v = r.value();
            if (v instanceof byte[]) line = (byte[]) v;
            else if (v instanceof String) line = ((String) v).getBytes(StandardCharsets.UTF_8);
            else line = json.fromConnectData(r.topic(), r.valueSchema(), v);
            buf.out.write(line, 0, line.length);
            buf.out.write('\n');
            buf.count++;
            if (flushSize != null && buf.count >= flushSize) uploadFull(tp);
        }
    }

    /**
     * A failed upload keeps the full object and asks Connect to deliver the same batch again
     * after a pause; the records already taken are skipped then, so none is doubled or lost.
     */
    private void uploadFull(TopicPartition tp) {
        try {
            upload(tp, buffers.get(tp));
        } catch (ConnectException e) {
            log.warn("{}; retrying in {} ms", e.getMessage(), RETRY_BACKOFF_MS, e.getCause());
            context.timeout(RETRY_BACKOFF_MS);
            throw new RetriableException(e.getMessage(), e.getCause());
        }
        buffers.remove(tp);
        uploaded.put(tp, new OffsetAndMetadata(next.get(tp)));
    }

    @Override public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (flushSize == null) return super.preCommit(currentOffsets); // flush, then commit everything consumed
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : currentOffsets.keySet()) {
            OffsetAndMetadata o = uploaded.get(tp);
            if (o != null) out.put(tp, o);
        }
        return out;
    }

    /**
     * Without flush.size, uploads happen only here: Connect commits offsets after flush succeeds
     * and rewinds to the last commit when it fails, and the key carries the start offset, so a
     * retry overwrites the same object. Nothing is lost and nothing doubled.
     */
    @Override public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            for (TopicPartition tp : buffers.keySet().toArray(new TopicPartition[0])) upload(tp, buffers.remove(tp));
        } catch (ConnectException e) {
            // Connect rewinds every partition to its last commit, so the records still buffered
            // come again: keeping them would write them twice into the next object.
            buffers.clear();
            next.clear();
            throw e;
        }
    }

    private void upload(TopicPartition tp, Buf buf) {
        String key = template.replace("{{topic}}", tp.topic())
            .replace("{{partition}}", Integer.toString(tp.partition()))
            .replace("{{start_offset}}", zeroPad(buf.startOffset, pad));
        try {
            s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/x-ndjson").build(),
                         RequestBody.fromBytes(buf.out.toByteArray()));
        } catch (RuntimeException e) {
            throw new ConnectException("Failed to upload s3://" + bucket + "/" + key, e);
        }
    }

    private static String zeroPad(long offset, int width) {
        String digits = Long.toString(offset);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    @Override public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) { // not committed -> re-delivered on reassignment
            buffers.remove(tp);
            next.remove(tp);
            uploaded.remove(tp);
        }
    }

    @Override public void stop() { if (s3 != null) s3.close(); }
}
