"""What both Spark drivers share: the session, the raw record schema, progress events, errors.

Imported by batch_job.py and stream_job.py (beside this file): the stream must parse and clean
exactly as the batch does. The raw fields come from sql/source/schema.sql, the one definition
of the record contract (docs/spec.md §2).
"""

import functools
import json
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

KINDS = ("pin", "geo", "user")

class JobError(Exception):
    """A failure with a message meant for the user (no stack trace)."""


@functools.lru_cache(maxsize=None)
def raw_fields(sql_dir):
    """Field names of each kind's records, in column order, from sql/source/schema.sql: the one
    definition of the record contract (scripts/lib/source/schema.ts reads the same file). Its
    tables come in KINDS order (schema_test.ts checks both readers agree)."""
    text = Path(sql_dir, "source", "schema.sql").read_text()
    tables = []
    for body in re.findall(r"create table \w+ \(([^;]*)\);", text):
        lines = [line.strip().rstrip(",") for line in body.splitlines()]
        tables.append([line.split()[0].strip("`") for line in lines if line and not line.startswith("--")])
    if len(tables) != len(KINDS):
        raise JobError(f"{sql_dir}/source/schema.sql defines {len(tables)} tables, not {len(KINDS)}")
    return dict(zip(KINDS, tables))


def job_keys():
    """What a job's JSON must hold (job_keys.json beside this file, the one definition)."""
    return json.loads(Path(__file__).with_name("job_keys.json").read_text())


def missing_keys(job, required):
    """Raises a JobError naming every key of `required` the job lacks."""
    missing = [k for k in required if k not in job]
    if missing:
        raise JobError(f"Job config lacks {', '.join(missing)} (mode {job.get('mode', 'batch')})")


def raw_schema(sql_dir, kind, extra=()):
    """Every raw field as text: JSON numbers keep their digits, follower_count stays a string,
    and the cleaning SQL does all the typing with try_cast."""
    from pyspark.sql.types import StringType, StructField, StructType

    fields = raw_fields(sql_dir)[kind] + list(extra)
    return StructType([StructField(f, StringType()) for f in fields])


_EMIT = threading.Lock()


def emit(event, **fields):
    line = json.dumps({"event": event, **fields})
    with _EMIT:  # steps run in threads: one whole line at a time
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Timer:
    def __init__(self):
        self.started = time.perf_counter()

    def seconds(self):
        return round(time.perf_counter() - self.started, 3)


def java_message(error):
    """The first line of a Py4J/Spark error, without the Java stack."""
    text = str(getattr(error, "java_exception", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def session_conf(job):
    """The settings a session may set for itself, on its own JVM or on the Spark Connect server."""
    return {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(job.get("shuffle_partitions", 4)),
        # Delta's default of 50 snapshot partitions costs seconds per tiny local table.
        "spark.databricks.delta.snapshotPartitions": "2",
        # Spark 3.5 limits each de-duplication window group before the shuffle, which costs a
        # sort of every wide row; nearly every group here holds one row, so it only adds work
        # (2 s of the pin cleaning at 1M posts).
        "spark.sql.optimizer.windowGroupLimitThreshold": "-1",
        # Small data: compiling whole stages costs more than it saves (a session setting, so a
        # warm server takes it per job too).
        "spark.sql.codegen.wholeStage": "false" if job.get("quick", True) else "true",
    }


def connect_session(job):
    """A session on the warm Spark Connect server at job["remote"] (sc://host:port): Delta, s3a
    and the JVM are the server's; only the session settings are ours."""
    from pyspark.sql import SparkSession

    url = job["remote"]
    try:
        spark = SparkSession.builder.remote(url).getOrCreate()
        # The first call that reaches the server: a server that is down fails here.
        for k, v in {**session_conf(job), **job.get("spark_conf", {})}.items():
            spark.conf.set(k, v)
    except Exception as e:  # noqa: BLE001 - gRPC errors surface as several types
        raise JobError(
            f"Cannot reach the Spark Connect server at {url}: {str(e).splitlines()[0]}; start it "
            "with `deno task stack:up --only spark_connect`, or run with --engine local"
        ) from e
    return spark


def build_session(job):
    from pyspark.sql import SparkSession

    if job.get("session") == "existing":
        # Databricks owns the session (Delta, S3 access): our local settings would only warn.
        return SparkSession.builder.getOrCreate()
    if job.get("remote"):
        return connect_session(job)
    conf = {
        "spark.master": job.get("master", "local[2]"),
        "spark.app.name": "pinterest-batch",
        "spark.jars": ",".join(job.get("jars", [])),
        "spark.driver.memory": job.get("driver_memory", "2g"),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        # Shuffle files stay on this machine's disk: compressing them buys no network time and
        # costs CPU (5% of the job at 1M posts).
        "spark.shuffle.compress": "false",
        "spark.shuffle.spill.compress": "false",
        **session_conf(job),
    }
    s3 = job.get("s3")
    if s3:
        key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
        if not key or not secret:
            raise JobError("Cannot configure s3a: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        hadoop = {
            "fs.s3a.endpoint": s3["endpoint"],
            "fs.s3a.path.style.access": str(s3.get("path_style", True)).lower(),
            "fs.s3a.connection.ssl.enabled": str(s3["endpoint"].startswith("https")).lower(),
            "fs.s3a.aws.credentials.provider":
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "fs.s3a.access.key": key,
            "fs.s3a.secret.key": secret,
            # Fail in seconds, not minutes, when the endpoint is down.
            "fs.s3a.attempts.maximum": "3",
            "fs.s3a.retry.limit": "3",
            "fs.s3a.connection.establish.timeout": "5000",
            "fs.s3a.connection.timeout": "20000",
        }
        conf.update({f"spark.hadoop.{k}": v for k, v in hadoop.items()})
    if job.get("quick", True):
        # Small data: compiling hot code (C2 JIT) costs more CPU than it saves; skipping it
        # makes the test fixture run three times faster. C1 alone gets a 48 MiB code cache,
        # which a stream job filled in 36 s at 1,000 posts/s ("CodeCache is full", then a fatal
        # error that stopped the SparkContext): reserve what the tiered JIT would.
        conf["spark.driver.extraJavaOptions"] += (
            " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=240m"
        )
    else:
        # The throughput collector: on two cores G1's concurrent work competes with the job.
        conf["spark.driver.extraJavaOptions"] += " -XX:+UseParallelGC"
    conf.update(job.get("spark_conf", {}))
    builder = SparkSession.builder
    for k, v in conf.items():
        builder = builder.config(k, v)
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # noqa: BLE001 - the gateway raises plain exceptions
        raise JobError(f"Cannot start Spark: {java_message(e)}; check JAVA_HOME (Java 17)") from e
    spark.sparkContext.setLogLevel("WARN")
    return spark


def is_remote(spark):
    """True for a Spark Connect session (no JVM of ours behind it: no spark._jvm)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def read_sql(path):
    try:
        return Path(path).read_text(encoding="utf-8").strip().rstrip(";")
    except OSError as e:
        raise JobError(f"Cannot read SQL file {path}: {e.strerror}") from e


@contextmanager
def errors_reported(kind):
    """Ends a driver with one error event: exit 2 for a JobError, re-raised for anything else."""
    try:
        yield
    except JobError as e:
        emit("error", message=str(e))
        sys.exit(2)
    except Exception as e:  # noqa: BLE001 - report anything else as one line too
        emit("error", message=f"Spark {kind} job failed: {java_message(e)}", unexpected=True)
        raise
