"""Spark driver of the stream job: Kinesis -> sql/clean -> Delta, one streaming query per kind.

Thin on purpose: scripts/lib/stream/job.ts describes the job as JSON (``--config FILE``) and
talks to it over stdin/stdout. Each query reads its Kinesis stream with the kinesis-sql source
(``readStream.format("kinesis")``, the same shape as Databricks'), from the earliest record on a
fresh checkpoint, and hands every micro-batch to ``process_batch``, which

1. parses the record data as JSON with an explicit all-string schema (as batch reads the lake)
   and materialises the batch once (see why there),
2. writes records that are not a JSON object with a source key to the dead-letter directory,
3. runs the SAME sql/clean/<kind>.sql as batch over a view raw_<kind> of the good records,
4. appends to the kind's Delta table the cleaned rows whose keys it lacks (an insert-only MERGE
   on the keys, without reading the table: the driver keeps the table's keys, see KnownKeys).

One checkpoint per table. A replayed micro-batch (after a crash) rewrites the same dead-letter
file and appends no key twice, so a restart loses nothing and doubles nothing. Not Delta's
idempotent append (txnAppId/txnVersion): the kinesis-sql source records where a batch starts,
not where it ends, so a replay reads on to the stream's tip and may hold records the first run
never saw; skipping the replay would lose those.

stdin takes JSON-lines commands: ``{"cmd": "snapshot", "id": ..., "rows": true}`` reads the Delta
tables and answers with a ``snapshot`` event; ``{"cmd": "stop"}``, SIGTERM, SIGINT or the end of
stdin stop the queries once their micro-batch in flight is done. stdout carries JSON-lines
events only (``{"event": ...}``); Spark's log goes to stderr.
"""

import argparse
import base64
import hashlib
import json
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path

# Shared with the batch driver: the stream must parse and clean exactly as batch does.
from common import (
    JobError,
    Timer,
    build_session,
    emit,
    errors_reported,
    java_message,
    job_keys,
    missing_keys,
    raw_schema as raw_text_schema,
    read_sql,
)

KEY_FIELD = {"pin": "index", "geo": "ind", "user": "ind"}

# Each micro-batch is a Delta commit; Delta checkpoints the log every 10 commits by default, which
# took 3-5 s on the three tables at once (same batch ids) and made the p99 of the latency.
CHECKPOINT_INTERVAL = "delta.checkpointInterval"
LOG_CHECKPOINT_INTERVAL = "100"


def raw_schema(job, kind):
    return raw_text_schema(job["sql_dir"], kind, extra=["_corrupt_record"])


def ensure_table(spark, job, kind):
    """Creates the kind's Delta table, empty, with the cleaned columns, unless it exists."""
    from delta.tables import DeltaTable

    empty = spark.createDataFrame([], raw_schema(job, kind)).drop("_corrupt_record")
    empty.createOrReplaceTempView(f"raw_{kind}")
    schema = spark.sql(read_sql(f"{job['sql_dir']}/clean/{kind}.sql")).schema
    path = job["tables"][kind]["path"]
    try:
        table = DeltaTable.createIfNotExists(spark).location(path).addColumns(schema) \
            .property(CHECKPOINT_INTERVAL, LOG_CHECKPOINT_INTERVAL).execute()
        properties = table.detail().first()["properties"]
        if properties.get(CHECKPOINT_INTERVAL) != LOG_CHECKPOINT_INTERVAL:
            # A table of an earlier version of this job.
            spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES "
                      f"('{CHECKPOINT_INTERVAL}' = '{LOG_CHECKPOINT_INTERVAL}')")
    except Exception as e:  # noqa: BLE001 - Py4J wraps every Java failure
        raise JobError(f"Cannot create Delta table {path}: {java_message(e)}") from e


def shard_of(shards, partition_key):
    """The shard Kinesis routes a partition key to: MD5 of the key within a hash key range."""
    if not partition_key:
        return None
    h = int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)
    for s in shards:
        if int(s["start"]) <= h <= int(s["end"]):
            return s["shard_id"]
    return None


def reason_of(data, key):
    """Why a record cannot be a row, in words, worked out again in Python for the few bad ones."""
    raw = bytes(data) if data is not None else b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"Data is not UTF-8 text: {e.reason} at byte {e.start}"
    if not text.strip():
        return "Data is empty"
    try:
        value = json.loads(text)
    except ValueError as e:
        return f"Data is not JSON: {e}"
    if not isinstance(value, dict):
        names = {str: "a string", list: "an array", bool: "a boolean", int: "a number",
                 float: "a number", type(None): "null"}
        return f"Data is {names.get(type(value), 'a value')} in JSON, not an object"
    return f"Data has no integer {key!r} (the source key)"


def write_dead_letters(job, kind, batch_id, rows):
    """Writes one JSON-lines file per micro-batch; a replay of the batch replaces it (temp+rename)."""
    directory = Path(job["dead_letter"][kind])
    directory.mkdir(parents=True, exist_ok=True)
    stream = job["streams"][kind]
    shards = job.get("shards", {}).get(kind, [])
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    lines = []
    for r in rows:
        arrival = r["approximateArrivalTimestamp"]
        lines.append(json.dumps({
            "stream": stream,
            "shard": shard_of(shards, r["partitionKey"]),
            "sequence_number": r["sequenceNumber"],
            "partition_key": r["partitionKey"],
            "approximate_arrival": arrival.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if arrival else None,
            "reason": reason_of(r["data"], KEY_FIELD[kind]),
            "data_base64": base64.b64encode(bytes(r["data"] or b"")).decode("ascii"),
            "table": job["tables"][kind]["name"],
            "batch_id": batch_id,
            "dead_lettered_at": now,
        }))
    final = directory / f"batch-{batch_id:010d}.jsonl"
    tmp = directory / f".batch-{batch_id:010d}.jsonl.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(final)


class KnownKeys:
    """The source keys a Delta table holds, kept in the driver (docs/spec.md §5 keys: ind, pins also
    unique_id). A micro-batch appends only the cleaned rows whose keys the table lacks, as an
    insert-only MERGE on those keys would, without reading the table each time. Loaded from the
    table when the job starts, so a replay after a crash sees what the crashed run committed.
    Each table has one writer, this job's query, so the set stays the table's."""

    def __init__(self, spark, path, kind):
        cols = ["ind", "unique_id"] if kind == "pin" else ["ind"]
        rows = spark.read.format("delta").load(path).select(*cols).collect()
        self.inds = {r["ind"] for r in rows}
        self.unique_ids = {r["unique_id"] for r in rows if kind == "pin"} - {None}

    def held(self, ind, unique_id=None):
        return ind in self.inds or (unique_id is not None and unique_id in self.unique_ids)

    def add(self, ind, unique_id=None):
        self.inds.add(ind)
        if unique_id is not None:
            self.unique_ids.add(unique_id)


KNOWN = {}  # by table path


def known_keys(spark, job, kind):
    path = job["tables"][kind]["path"]
    if path not in KNOWN:
        KNOWN[path] = KnownKeys(spark, path, kind)
    return KNOWN[path]


def process_batch(job, kind, df, batch_id):
    from pyspark.sql import functions as F

    started_ms = int(time.time() * 1000)
    t = Timer()
    session = df.sparkSession
    key = KEY_FIELD[kind]
    text = F.col("data").cast("string")
    parsed = df.select(
        "data", "partitionKey", "sequenceNumber", "approximateArrivalTimestamp",
        F.from_json(text, raw_schema(job, kind), {
            "mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record",
        }).alias("row"),
        F.ltrim(text).startswith("{").alias("is_object"),
    )
    good = (
        F.col("is_object")
        & F.col("row").isNotNull()
        & F.col("row._corrupt_record").isNull()
        & F.expr(f"try_cast(row.`{key}` as int)").isNotNull()
    )
    # Read the shards exactly once: the kinesis-sql source reads Kinesis each time the batch is
    # computed and records the position the LAST computation reached, so a second action over
    # an unmaterialised batch could move the position past records this batch never wrote.
    flagged = parsed.withColumn("good", F.coalesce(good, F.lit(False))).localCheckpoint(eager=True)
    read_seconds = t.seconds()
    # One pass for the count and the bad records (whole, for their dead letters).
    seen = flagged.select(F.when(~F.col("good"), F.struct(
        "data", "partitionKey", "sequenceNumber", "approximateArrivalTimestamp",
    )).alias("bad")).collect()
    rows_in = len(seen)
    if rows_in == 0:
        return
    bad_rows = [r["bad"] for r in seen if r["bad"] is not None]
    if bad_rows:
        write_dead_letters(job, kind, batch_id, bad_rows)
    flagged.where("good").select("row.*").drop("_corrupt_record") \
        .createOrReplaceTempView(f"raw_{kind}")
    parse_seconds = t.seconds() - read_seconds
    path = job["tables"][kind]["path"]
    # The same sql/clean as batch, computed once: its keys decide what to append.
    cleaned = session.sql(read_sql(f"{job['sql_dir']}/clean/{kind}.sql")).cache()
    rows = cleaned.select("ind", "unique_id" if kind == "pin" else F.lit(None)).collect()
    clean_seconds = t.seconds() - read_seconds - parse_seconds
    known = known_keys(session, job, kind)
    held = [r for r in rows if known.held(r[0], r[1])]
    if len(held) < len(rows):
        new = cleaned
        if held:
            # Keys the table holds already: a replay after a crash, or a post sent twice.
            keep = ~F.col("ind").isin([r[0] for r in held])
            uids = [r[1] for r in held if r[1] is not None]
            if uids:
                keep = keep & (F.col("unique_id").isNull() | ~F.col("unique_id").isin(uids))
            new = cleaned.where(keep)
        new.write.format("delta").mode("append").save(path)
    inserted = 0
    for r in rows:
        if not known.held(r[0], r[1]):
            known.add(r[0], r[1])
            inserted += 1
    cleaned.unpersist()
    committed_ms = int(time.time() * 1000)
    event = dict(kind=kind, table=job["tables"][kind]["name"], batch_id=batch_id,
                 rows_in=rows_in, dead_letters=len(bad_rows), inserted=inserted,
                 seconds=t.seconds(), started_ms=started_ms, committed_ms=committed_ms,
                 steps={"read": read_seconds, "parse": round(parse_seconds, 3),
                        "clean": round(clean_seconds, 3),
                        "write": round(t.seconds() - read_seconds - parse_seconds - clean_seconds, 3)})
    if job.get("emit_keys"):
        event["keys"] = [r[0] for r in rows]
    emit("batch", **event)


def start_query(spark, job, kind):
    kinesis = job["kinesis"]
    reader = (
        spark.readStream.format("kinesis")
        .option("streamName", job["streams"][kind])
        .option("endpointUrl", kinesis["endpoint"])
        .option("startingPosition", job.get("starting_position", "TRIM_HORIZON"))
        # A micro-batch stops reading a shard when it is caught up, or after this long.
        .option("kinesis.executor.maxFetchTimeInMs", str(job.get("max_fetch_ms", 1000)))
        .option("kinesis.executor.maxFetchRecordsPerShard", str(job.get("max_records", 100000)))
        # Kinesis away for a while (kinesalite restarted by the supervisor, a network blip on
        # AWS) must not end the query: keep asking for about a minute, as the source's own
        # retries (ListShards, GetShardIterator) allow, before giving up.
        .option("kinesis.client.numRetries", "20")
        .option("kinesis.client.retryIntervalMs", "500")
        .option("kinesis.client.maxRetryIntervalMs", "5000")
    )
    if job.get("avoid_empty_batches", True) and job.get("starting_position") != "LATEST":
        # An idle trigger asks each shard for one GetRecords and runs no micro-batch (no Spark
        # job, no checkpoint files): three idle queries no longer take the cores from busy ones.
        # Not with LATEST: until a batch has read a record the connector keeps the position
        # LATEST, so its look-ahead would see only records put during that one request.
        reader = reader.option("kinesis.client.avoidEmptyBatches", "true")
    if kinesis.get("local_credentials"):
        # kinesalite accepts any keys; on AWS the default credential chain applies.
        reader = reader.option("awsAccessKeyId", "local").option("awsSecretKey", "local")
    table = job["tables"][kind]
    return (
        reader.load().writeStream
        .queryName(table["name"])
        .foreachBatch(lambda df, batch_id: process_batch(job, kind, df, batch_id))
        .option("checkpointLocation", table["checkpoint"])
        .trigger(processingTime=f"{float(job.get('trigger_seconds', 1))} seconds")
        .start()
    )


def snapshot(spark, job, cmd):
    from pyspark.sql import functions as F

    options = {"ignoreNullFields": "false", "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss"}
    tables = {}
    for kind in job["kinds"]:
        df = spark.read.format("delta").load(job["tables"][kind]["path"])
        entry = {"table": job["tables"][kind]["name"], "count": df.count(),
                 "columns": df.columns, "types": [t for _, t in df.dtypes]}
        if cmd.get("rows"):
            entry["rows"] = [json.loads(r[0]) for r in
                             df.orderBy("ind").select(F.to_json(F.struct(*df.columns), options)).collect()]
        tables[kind] = entry
    emit("snapshot", id=cmd.get("id"), tables=tables)


def emit_progress(queries, seen):
    """Emits each query's progress report once: where a trigger's time went, outside the batch."""
    for kind, q in queries.items():
        p = q.lastProgress
        if p and seen.get(kind) != p["batchId"]:
            seen[kind] = p["batchId"]
            emit("progress", kind=kind, batch_id=p["batchId"], rows=p["numInputRows"],
                 timestamp=p["timestamp"], duration_ms=p["durationMs"])


def read_commands(commands, stop):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            commands.put(json.loads(line))
        except ValueError:
            emit("warning", message=f"Ignored a command that is not JSON: {line[:80]}")
    # The parent closed stdin (or died): stop as if asked to.
    stop.set()


def stop_gracefully(queries, budget_seconds=30):
    """Stops each query once its micro-batch in flight is done (or after the budget)."""
    deadline = time.time() + budget_seconds
    for q in queries.values():
        while q.isActive and q.status.get("isTriggerActive") and time.time() < deadline:
            time.sleep(0.05)
        q.stop()


def run(job, stop):
    total = Timer()
    t = Timer()
    spark = build_session({
        **job,
        "spark_conf": {"spark.app.name": "pinterest-stream", **job.get("spark_conf", {})},
    })
    emit("start", spark=spark.version, master=spark.sparkContext.master, mode="stream")
    emit("step", step="session", seconds=t.seconds())
    for kind in job["kinds"]:
        ensure_table(spark, job, kind)
        known_keys(spark, job, kind)
    queries = {}
    try:
        for kind in job["kinds"]:
            queries[kind] = start_query(spark, job, kind)
    except Exception as e:  # noqa: BLE001 - Py4J wraps every Java failure
        raise JobError(f"Cannot start the stream query of {kind}: {java_message(e)}") from e
    emit("ready", queries={k: q.name for k, q in queries.items()}, seconds=total.seconds())
    commands = queue.Queue()
    last_progress = {}
    restarts = Restarts()
    threading.Thread(target=read_commands, args=(commands, stop), daemon=True).start()
    while not stop.is_set():
        try:
            cmd = commands.get(timeout=0.2)
        except queue.Empty:
            cmd = None
        if cmd and cmd.get("cmd") == "stop":
            break
        if cmd and cmd.get("cmd") == "snapshot":
            snapshot(spark, job, cmd)
        if job.get("emit_progress"):
            emit_progress(queries, last_progress)
        for kind, q in list(queries.items()):
            if not q.isActive:
                error = q.exception()
                if error is not None and kinesis_unreachable(error) and restarts.allow(kind):
                    # Kinesis went away (restarted, a blip): the query picks up from its
                    # checkpoint, and the known keys keep every post once in the table.
                    emit("restart", kind=kind, attempt=restarts.count(kind),
                         reason=java_message(error)[:300])
                    time.sleep(min(8.0, 0.5 * 2 ** restarts.count(kind)))
                    queries[kind] = start_query(spark, job, kind)
                    continue
                for other in queries.values():
                    other.stop()
                message = java_message(error) if error else "no reason given"
                # kinesis-mock and kinesalite word it differently; AWS says the second.
                stale = ("Unable to find record with provided SequenceNumber", "used in GetShardIterator")
                if any(marker in error_chain(error) for marker in stale):
                    message += (
                        f"; the stream was probably recreated after the checkpoint "
                        f"{job['tables'][kind]['checkpoint']} was written: delete it and the "
                        "table to read the stream from its start again"
                    )
                raise JobError(f"The stream query of {kind} stopped: {message}")
    emit("stopping")
    stop_gracefully(queries)
    emit("stopped", seconds=total.seconds())
    spark.stop()


# How the Kinesis client says it could not reach Kinesis at all (as against a refusal).
UNREACHABLE = ("Connection refused", "Unable to execute HTTP request", "Connection reset")


def kinesis_unreachable(error):
    return any(marker in error_chain(error) for marker in UNREACHABLE)


class Restarts:
    """At most 10 restarts of a query in 5 minutes: past that, Kinesis is down, not blinking."""

    def __init__(self, limit=10, window_seconds=300):
        self.limit, self.window, self.times = limit, window_seconds, {}

    def allow(self, kind):
        now = time.time()
        recent = [t for t in self.times.get(kind, []) if now - t < self.window]
        if len(recent) >= self.limit:
            return False
        self.times[kind] = recent + [now]
        return True

    def count(self, kind):
        return len(self.times.get(kind, []))


def error_chain(error):
    """The text of a streaming query's error and of every cause under it."""
    texts = []
    for _ in range(20):  # PySpark chains captured errors through .cause
        if error is None:
            break
        texts += [str(error), str(getattr(error, "desc", "") or ""), str(getattr(error, "stackTrace", "") or "")]
        origin = getattr(error, "_origin", None)
        try:
            while origin is not None and len(texts) < 60:
                texts.append(str(origin.toString()))
                origin = origin.getCause()
        except Exception:  # a Py4J hiccup must not hide the error itself
            pass
        error = getattr(error, "cause", None)
    return "\n".join(texts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="job JSON file")
    args = parser.parse_args()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with errors_reported("stream"):
        try:
            job = json.loads(Path(args.config).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise JobError(f"Cannot read the job config {args.config}: {e}") from e
        missing_keys(job, job_keys()["stream"])
        run(job, stop)


if __name__ == "__main__":
    main()
