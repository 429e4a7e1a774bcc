package local.pipeline.connect.s3;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Key names deliberately mirror Aiven's S3 sink connector, except the two that shape the
 * Confluent layout and its commits, which keep Confluent's names and defaults.
 */
final class S3SinkConfig {
    static final String ACCESS_KEY = "aws.access.key.id";
    static final String SECRET_KEY = "aws.secret.access.key";
    static final String BUCKET = "aws.s3.bucket.name";
    static final String ENDPOINT = "aws.s3.endpoint";
    static final String REGION = "aws.s3.region";
    static final String PATH_STYLE = "aws.s3.path.style.access.enabled";
    static final String TEMPLATE = "file.name.template";
    static final String FORMAT = "format.output.type";
    static final String FIELDS = "format.output.fields";
    static final String OFFSET_PAD = "filename.offset.zero.pad.width";
    static final String FLUSH_SIZE = "flush.size";

    /** Confluent's default: offsets below 10^10 sort as text in the order Kafka wrote them. */
    static final int DEFAULT_OFFSET_PAD = 10;

    private static final ConfigDef.Validator AT_LEAST_ONE_OR_NULL = (name, value) -> {
        if (value != null && (Integer) value < 1) throw new ConfigException(name, value, "Must be at least 1, or unset");
    };

    static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(ACCESS_KEY, Type.PASSWORD, null, Importance.HIGH, "S3 access key id (null = default AWS credential chain)")
        .define(SECRET_KEY, Type.PASSWORD, null, Importance.HIGH, "S3 secret access key")
        .define(BUCKET, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, "Bucket")
        .define(ENDPOINT, Type.STRING, null, Importance.MEDIUM, "Endpoint override, e.g. http://127.0.0.1:9000")
        .define(REGION, Type.STRING, "us-east-1", Importance.MEDIUM, "Region")
        .define(PATH_STYLE, Type.BOOLEAN, true, Importance.MEDIUM, "Path-style access (needed for MinIO)")
        .define(TEMPLATE, Type.STRING,
                "topics/{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}.json",
                Importance.MEDIUM, "Object key template: {{topic}} {{partition}} {{start_offset}}")
        .define(FORMAT, Type.STRING, "jsonl", ConfigDef.ValidString.in("jsonl"), Importance.LOW, "Only jsonl")
        .define(FIELDS, Type.STRING, "value", ConfigDef.ValidString.in("value"), Importance.LOW, "Only value")
        .define(OFFSET_PAD, Type.INT, DEFAULT_OFFSET_PAD, ConfigDef.Range.atLeast(0), Importance.LOW,
                "Width to which {{start_offset}} is zero-padded (Confluent's key and default)")
        .define(FLUSH_SIZE, Type.INT, null, AT_LEAST_ONE_OR_NULL, Importance.HIGH,
                "Records per object, committed as soon as an object holds that many (Confluent's key); "
                + "unset: one object per partition at each offset flush of the worker");

    private S3SinkConfig() { }
}
