"""Spark driver of the batch job: Python only because PySpark demands it, so it stays thin.

The job is described by JSON (``--config FILE``, ``--config -`` for stdin, or ``--job JSON``
inline, as a Databricks task passes it; see scripts/lib/spark/driver.ts for its fields). Mode
``batch``: check each topic prefix, read every *.json under it into a raw view, run
sql/clean/<kind>.sql into views pin, geo and user, write them as Delta, run every
sql/analytics/*.sql, write each result as one CSV file (and as Delta with ``answer_tables``).
Mode ``scan``: only read and count the raw JSON (the benchmark's I/O floor).

The same work split into the steps of the Airflow DAG, one Spark application each, handing
over through Delta tables under ``out``: ``load`` snapshots the raw JSON of each kind into
delta/raw_<kind> (so the three clean steps see the same lake, however much lands meanwhile),
``clean`` turns delta/raw_<kind> into delta/<kind>, ``analytics`` reads delta/pin, geo and user
and writes every answer. ``kinds`` limits load and clean to some kinds.

Mode ``batch`` is built to keep Spark's fixed costs down: the raw rows are counted in the pass
that cleans them, the cleaned tables are cached laid out by ind (the join key), each answer
takes one Spark job (its CSV lines and table rows formatted in it, the CSV file written from
the driver), and the three clean steps, then the cleaned-table writes and the queries, run on
``threads`` threads (default 3), since one small Spark job seldom keeps two cores busy.

With ``"session": "existing"`` (Databricks) the driver uses the cluster's own session: no
jars, no s3a keys, and it leaves the session running. With ``"remote": "sc://host:port"`` it
is a Spark Connect client of the warm server (the local stack's, or Databricks Connect's): no
JVM of its own, so nothing here reaches into one (no ``spark._jvm``); the server holds Delta,
s3a and the heap, and what the job cached is released at its end, since the server outlives it.

Progress goes to stdout as JSON lines (``{"event": ...}``); Spark's own log goes to stderr.
Secrets never travel in the JSON: s3a keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
"""

import argparse
import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import (
    KINDS,
    JobError,
    Timer,
    build_session,
    emit,
    errors_reported,
    is_remote,
    java_message,
    job_keys,
    missing_keys,
    raw_schema,
    read_sql,
)

# What each mode must find in the job (plus "jars" unless the session already exists).
MODE_KEYS = job_keys()["batch"]

# The views the job cached: released at its end (a Spark Connect server outlives the job).
CACHED = []


def cache_as(spark, df, view):
    """Caches `df` as the temp view `view` and returns the view's frame.

    Cached by view name, not by frame (`df.cache()`): over Spark Connect each call sends the
    plan again, and a query of the view never matched the frame's cache entry, so every query
    read and cleaned the raw JSON again (q4 0.6 s instead of 0.3 s, 26 CPU-s a job). A view's
    cache serves every plan that reads the view, on either engine. Materialized here (`CACHE
    TABLE` is eager).
    """
    df.createOrReplaceTempView(view)
    spark.sql(f"CACHE TABLE `{view}`")
    CACHED.append(view)
    return spark.table(view)


def uncache(spark, view):
    spark.sql(f"UNCACHE TABLE IF EXISTS `{view}`")
    if view in CACHED:
        CACHED.remove(view)


def release_cached(spark):
    for view in list(CACHED):
        try:
            uncache(spark, view)
        except Exception:  # noqa: BLE001 - a failed job reports its own error, not this one
            pass
    CACHED.clear()


def hadoop_fs(spark, uri):
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path, path.getFileSystem(spark._jsc.hadoopConfiguration())


def not_found(error):
    """True when a Spark error says a path or Delta table is not there."""
    text = str(error)
    return any(s in text for s in ("PATH_NOT_FOUND", "Path does not exist", "is not a Delta table",
                                   "DELTA_MISSING_DELTA_TABLE"))


def json_lines(spark, prefix):
    """The lines of every *.json object under `prefix`, as the JSON reader finds the files."""
    return (
        spark.read.option("recursiveFileLookup", "true").option("pathGlobFilter", "*.json")
        .text(prefix)
    )


def check_prefix(spark, topic, prefix):
    """Fails unless `prefix` holds at least one *.json object Spark would read.

    Spark lists the files as its reader would (hidden ones and other suffixes left out), with
    no job and no JVM call of ours, so the check is the same over Spark Connect.
    """
    try:
        files = json_lines(spark, prefix).inputFiles()
    except Exception as e:  # noqa: BLE001 - Py4J and gRPC wrap every Java failure
        if not not_found(e):
            raise JobError(f"Cannot list {prefix} (topic {topic}): {java_message(e)}") from e
        files = []
    if files:
        return
    raise JobError(
        f"No *.json objects under {prefix} (topic {topic}): run the batch emulator and let "
        "the S3 sink flush, or point the lake at the directory holding the topics"
    )


def read_raw(spark, job, kind, prefix):
    schema = raw_schema(job["sql_dir"], kind)
    # recursiveFileLookup reads partition=*/ at any depth and any offset padding, and keeps
    # Spark from turning partition=N into a column.
    return (
        spark.read.schema(schema)
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.json")
        .option("mode", "PERMISSIVE")
        .json(prefix)
    )


def topic_prefix(job, kind):
    return f"{job['lake'].rstrip('/')}/{job['topics'][kind]}"


def run_sql(spark, path):
    try:
        return spark.sql(read_sql(path))
    except JobError:
        raise
    except Exception as e:  # noqa: BLE001 - AnalysisException, ParseException...
        raise JobError(f"Spark SQL {path} failed: {java_message(e)}") from e


def register_views(spark, sql_dir):
    """Runs every sql/views/*.sql: the views analytics queries share (age_groups)."""
    for path in sorted(Path(sql_dir, "views").glob("*.sql")):
        run_sql(spark, path)


def analytics_files(sql_dir, only):
    def order(p):
        m = re.match(r"q(\d+)", p.stem)
        return (int(m.group(1)) if m else 1000, p.stem)

    files = sorted(Path(sql_dir, "analytics").glob("*.sql"), key=order)
    if only is not None:
        unknown = set(only) - {p.stem for p in files}
        if unknown:
            raise JobError(f"Unknown analytics queries: {', '.join(sorted(unknown))}")
        files = [p for p in files if p.stem in only]
    return files


# Rows of `table` events: nulls kept, timestamps without zone (all are UTC).
JSON_OPTIONS = {"ignoreNullFields": "false", "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss"}


def table_event(df, name, stage, limit, order_by=None):
    """The `table` event of `df`: its columns, types and first `limit` rows."""
    from pyspark.sql import functions as F

    rows = []
    if limit > 0:
        shown = df.orderBy(order_by) if order_by else df
        rows = [
            json.loads(r[0])
            for r in shown.limit(limit).select(F.to_json(F.struct(*df.columns), JSON_OPTIONS))
            .collect()
        ]
    return {"name": name, "stage": stage, "columns": df.columns,
            "types": [t for _, t in df.dtypes], "rows": rows}


def write_delta(df, name, path):
    t = Timer()
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(path)
    emit("step", step="write", name=name, format="delta", path=path, seconds=t.seconds())


def csv_field(text):
    """A header field as Spark's CSV writer quotes it (backslash escapes)."""
    if text and not re.search(r'[,"\\\r\n]', text) and text.strip() == text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_csv_lines(spark, name, out, columns, lines):
    """Writes `<out>/<name>.csv`: a header and lines already formatted by Spark's to_csv.

    An answer is a few rows: formatting them in the query's own job and writing the file from
    the driver spares a Spark job per answer. A local `out` is written by Python (so the same
    over Spark Connect), any other through the JVM's Hadoop file system.
    """
    t = Timer()
    tmp, dest = f"{out}/_tmp_{name}.csv", f"{out}/{name}.csv"
    text = "".join(f"{line}\n" for line in [",".join(map(csv_field, columns)), *lines])
    if out.startswith("file://"):
        local_tmp, local_dest = (Path(p[len("file://"):]) for p in (tmp, dest))
        try:
            # The queries can finish before the first Delta write has made `out` (CI did).
            local_dest.parent.mkdir(parents=True, exist_ok=True)
            local_tmp.write_text(text, encoding="utf-8")
            os.replace(local_tmp, local_dest)
        except OSError as e:
            raise JobError(f"Cannot write {dest}: {e.strerror}") from e
        emit("step", step="write", name=name, format="csv", path=dest, seconds=t.seconds())
        return
    if is_remote(spark):
        raise JobError(f"Cannot write {dest} over Spark Connect: give a local output directory")
    tmp_path, fs = hadoop_fs(spark, tmp)
    checksummed = spark._jvm.java.lang.Class.forName("org.apache.hadoop.fs.ChecksumFileSystem")
    if checksummed.isInstance(fs):
        fs = fs.getRawFileSystem()  # no .crc files beside the CSV
    try:
        stream = fs.create(tmp_path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        dest_path = spark._jvm.org.apache.hadoop.fs.Path(dest)
        fs.delete(dest_path, False)
        if not fs.rename(tmp_path, dest_path):
            raise JobError(f"Cannot move the CSV of {name} from {tmp} to {dest}")
    except JobError:
        raise
    except Exception as e:  # noqa: BLE001 - Py4J wraps every Java failure
        raise JobError(f"Cannot write {dest}: {java_message(e)}") from e
    emit("step", step="write", name=name, format="csv", path=dest, seconds=t.seconds())


def mount(spark, job, kind):
    """Checks the topic prefix of `kind`; returns it."""
    prefix = topic_prefix(job, kind)
    t = Timer()
    check_prefix(spark, job["topics"][kind], prefix)
    emit("step", step="mount", name=kind, path=prefix, seconds=t.seconds())
    return prefix


def mount_and_read(spark, job, kind, cached):
    """Checks the topic prefix of `kind` and reads it into view raw_<kind>."""
    prefix = mount(spark, job, kind)
    t = Timer()
    df = read_raw(spark, job, kind, prefix)
    if cached:
        df = cache_as(spark, df, f"raw_{kind}")
    else:
        df.createOrReplaceTempView(f"raw_{kind}")
    rows = int(df.count())
    emit("step", step="read", name=kind, path=prefix, rows=rows, seconds=t.seconds())
    return df


def delta_path(job, table):
    return f"{job['out'].rstrip('/')}/delta/{table}"


def cache_by_ind(spark, df, view):
    """Caches a cleaned table as `view`, hash-partitioned and sorted by ind, the key of every join.

    Every analytics query reads the cleaned tables again, most of them joining two on ind: laid
    out this way once, the joins need neither a shuffle nor a sort of their own.
    """
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
    return cache_as(spark, df.repartition(partitions, "ind").sortWithinPartitions("ind"), view)


def clean_view(spark, job, kind):
    """Runs sql/clean/<kind>.sql over view raw_<kind> into the cached view <kind>."""
    t = Timer()
    df = cache_by_ind(spark, run_sql(spark, f"{job['sql_dir']}/clean/{kind}.sql"), kind)
    rows = int(df.count())
    emit("step", step="clean", name=kind, rows=rows, seconds=t.seconds())
    return df


def save_clean(job, kind, df):
    """Writes the cleaned table `kind` as Delta; returns its table event."""
    write_delta(df, kind, delta_path(job, kind))
    return table_event(df, kind, "clean", int(job.get("emit_rows", 100)), order_by="ind")


def clean_kind(spark, job, kind):
    """Runs sql/clean/<kind>.sql over view raw_<kind> into view <kind> and writes it as Delta."""
    df = clean_view(spark, job, kind)
    emit("table", **save_clean(job, kind, df))
    return df


def run_query(spark, job, path):
    """Runs one sql/analytics file and writes its answer as one CSV file (and as a Delta table
    with ``answer_tables``); returns its table event.

    One Spark job computes the answer and brings back each row as CSV and as JSON; the CSV file
    and the table event need no further job. An answer table is one more Delta commit per
    question (0.5-1 s each on 2 cores, for a few rows), so it is written only when asked for,
    from the answer cached meanwhile.
    """
    from pyspark.sql import functions as F

    name = path.stem
    t = Timer()
    tables = bool(job.get("answer_tables"))
    result = run_sql(spark, str(path))
    if tables:
        result = cache_as(spark, result, f"answer_{name}")
    # By name, not result[c]: over Spark Connect 3.5 a column of a spark.sql() frame carries a
    # plan id the select on it cannot resolve.
    cells = F.struct(*[F.col(c) for c in result.columns])
    try:
        rows = result.select(F.to_csv(cells), F.to_json(cells, JSON_OPTIONS)).collect()
    except Exception as e:  # noqa: BLE001 - runtime failures of the query surface here
        raise JobError(f"Spark SQL {path} failed: {java_message(e)}") from e
    emit("step", step="query", name=name, rows=len(rows), seconds=t.seconds())
    if tables:
        write_delta(result, name, delta_path(job, name))
    write_csv_lines(spark, name, job["out"].rstrip("/"), result.columns, [r[0] for r in rows])
    limit = int(job.get("emit_rows", 100))
    table = {"name": name, "stage": "query", "columns": result.columns,
             "types": [t for _, t in result.dtypes],
             "rows": [json.loads(r[1]) for r in rows[:limit]]}
    if tables:
        uncache(spark, f"answer_{name}")
    return table


def run_parallel(job, tasks, on_result=lambda r: None):
    """Runs the (function, *args) `tasks` on a few threads; Spark takes jobs from each.

    One Spark job rarely keeps both cores busy (a small stage, a Delta commit on the driver):
    side by side they fill each other's gaps. `on_result` sees the results in task order; the
    first failure is raised, the tasks not started are cancelled.
    """
    with ThreadPoolExecutor(max_workers=int(job.get("threads", 3))) as pool:
        futures = [pool.submit(*task) for task in tasks]
        try:
            results = []
            for f in futures:
                results.append(f.result())
                on_result(results[-1])
            return results
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def read_delta(spark, job, table, view, made_by):
    """Reads the Delta table `table` under out/delta into `view`; fails naming the step to run."""
    path = delta_path(job, table)
    t = Timer()
    try:
        df = spark.read.format("delta").load(path)
        # Over Spark Connect nothing is checked before the first action: a missing table fails
        # here (the cache is filled at once), as it does at load() on the driver's own JVM.
        df = cache_by_ind(spark, df, view) if table in KINDS else cache_as(spark, df, view)
        rows = int(df.count())
    except Exception as e:  # noqa: BLE001 - Py4J and gRPC wrap every Java failure
        if not_found(e):
            raise JobError(f"No Delta table {table} at {path}: run the {made_by} step first") from e
        raise JobError(f"Cannot read Delta table {path}: {java_message(e)}") from e
    emit("step", step="read", name=table, format="delta", path=path, rows=rows,
         seconds=t.seconds())
    return df


def job_kinds(job):
    kinds = job.get("kinds") or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise JobError(f"Unknown kinds {', '.join(unknown)}: use {', '.join(KINDS)}")
    return kinds


def run_load(spark, job):
    for kind in job_kinds(job):
        raw = mount_and_read(spark, job, kind, cached=True)
        write_delta(raw, f"raw_{kind}", delta_path(job, f"raw_{kind}"))
        uncache(spark, f"raw_{kind}")


def run_clean(spark, job):
    for kind in job_kinds(job):
        read_delta(spark, job, f"raw_{kind}", f"raw_{kind}", made_by="load")
        clean_kind(spark, job, kind)
        uncache(spark, f"raw_{kind}")


def run_analytics(spark, job):
    queries = analytics_files(job["sql_dir"], job.get("queries"))
    for kind in KINDS:
        read_delta(spark, job, kind, kind, made_by=f"clean:{kind}")
    register_views(spark, job["sql_dir"])
    for path in queries:
        emit("table", **run_query(spark, job, path))


def read_observed(spark, job, kind):
    """Reads the raw JSON of `kind` into view raw_<kind>, counted as the clean pass reads it.

    Counting first would read the JSON twice, caching it would copy it all; an observation
    counts the rows in the job that cleans them. Returns a function that reports the count.
    """
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    prefix = mount(spark, job, kind)
    t = Timer()
    if is_remote(spark):
        # Spark Connect 3.5 does not bring observed metrics back to the client: a count beside
        # the cleaning. Of the lines, not the records: the JSON reader parses every line even
        # to count them (3.8 CPU seconds for 1M pins, against 0.6). Each line not blank is one
        # record to that reader, malformed or not; only a top-level JSON array, which the S3
        # sink never writes, would be several.
        read_raw(spark, job, kind, prefix).createOrReplaceTempView(f"raw_{kind}")

        def count():
            lines = json_lines(spark, prefix)
            rows = int(lines.filter(F.trim(F.col("value")) != "").count())
            emit("step", step="read", name=kind, path=prefix, rows=rows, seconds=t.seconds())

        return count
    observation = Observation(f"raw_{kind}")
    raw = read_raw(spark, job, kind, prefix).observe(observation, F.count(F.lit(1)).alias("rows"))
    raw.createOrReplaceTempView(f"raw_{kind}")

    def report():
        # The metrics arrive through a listener, just after the job: wait for them, briefly.
        jvm = spark._jvm
        try:
            row = jvm.scala.concurrent.Await.result(
                observation._jo.future(), jvm.scala.concurrent.duration.Duration.create(30, "s"))
            rows = row.getLong(0)
        except Exception:  # noqa: BLE001 - never seen; a plain count is the fallback
            rows = int(read_raw(spark, job, kind, prefix).count())
        emit("step", step="read", name=kind, path=prefix, rows=rows, seconds=t.seconds())

    return report


def run_batch(spark, job):
    queries = analytics_files(job["sql_dir"], job.get("queries"))

    def clean_from_lake(kind):
        report = read_observed(spark, job, kind)
        df = clean_view(spark, job, kind)
        report()
        return df

    cleaned = run_parallel(job, [(clean_from_lake, kind) for kind in KINDS])
    register_views(spark, job["sql_dir"])

    def save_cleaned():
        # One table after the other on one thread, the queries on the others: side by side,
        # three small writes ended in the same instant, so a run stopped after its first table
        # had written all three (tests/faults/batch_faults_test.ts stops one there).
        return [save_clean(job, kind, df) for kind, df in zip(KINDS, cleaned)]

    def query(path):
        return [run_query(spark, job, path)]

    def report(tables):
        for table in tables:
            emit("table", **table)

    # Tables are reported in order (pin, geo, user, then the queries), whatever finishes first.
    run_parallel(job, [(save_cleaned,), *[(query, path) for path in queries]], on_result=report)


def run_bench(spark, job):
    """The batch benchmark: the whole job between two scans of the same raw JSON, one session.

    The scans are the I/O floor (read and count every record); the faster one is reported, so
    the ratio batch/floor is never flattered by a cold first read. Beside each wall time, the
    CPU seconds of the JVM (all its threads, JIT and GC included): on a shared machine they say
    more than the wall clock.
    """
    pid = job.get("server_pid") if is_remote(spark) else None
    if is_remote(spark) and not pid:
        raise JobError("Cannot bench over Spark Connect without the server's pid (server_pid)")
    pid = pid or spark._jvm.java.lang.ProcessHandle.current().pid()
    stat = f"/proc/{pid}/stat"
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def cpu():  # utime + stime of the JVM; 0 where there is no /proc (not Linux)
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    def timed(work):
        t, c = Timer(), cpu()
        work()
        return t.seconds(), round(cpu() - c, 3)

    def scan():
        for kind in KINDS:
            # count() alone lets Spark skip parsing; the noop sink parses every field of every
            # record, which is what the real job cannot avoid.
            read_raw(spark, job, kind, topic_prefix(job, kind)).write.format("noop").mode("overwrite").save()

    first = timed(scan)
    batch = timed(lambda: run_batch(spark, job))
    second = timed(scan)
    best = min(first, second)
    emit("bench", scan_seconds=best[0], scans=[first[0], second[0]], batch_seconds=batch[0],
         scan_cpu_seconds=best[1], batch_cpu_seconds=batch[1])


RUNS = {
    "batch": run_batch,
    "bench": run_bench,
    "scan": lambda spark, job: [mount_and_read(spark, job, k, cached=False) for k in KINDS],
    "load": run_load,
    "clean": run_clean,
    "analytics": run_analytics,
}


def read_job(args):
    if args.job is not None:
        text, source = args.job, "--job"
    elif args.config == "-":
        text, source = sys.stdin.read(), "stdin"
    else:
        try:
            text, source = Path(args.config).read_text(encoding="utf-8"), args.config
        except OSError as e:
            raise JobError(f"Cannot read job config {args.config}: {e.strerror}") from e
    try:
        job = json.loads(text)
    except ValueError as e:
        raise JobError(f"Job config from {source} is not valid JSON: {e}") from e
    mode = job.get("mode", "batch")
    if mode not in MODE_KEYS:
        raise JobError(f"Unknown mode {mode!r}: use {', '.join(MODE_KEYS)}")
    own = [] if job.get("session") == "existing" else job_keys()["own_session"]
    missing_keys(job, MODE_KEYS[mode] + own)
    return job, mode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", help="job JSON file, or - for stdin")
    source.add_argument("--job", help="job JSON itself (a Databricks task's parameter)")
    args = parser.parse_args()
    total = Timer()
    with errors_reported("batch"):
        job, mode = read_job(args)
        t = Timer()
        spark = build_session(job)
        master = spark.conf.get("spark.master") if is_remote(spark) else spark.sparkContext.master
        emit("start", spark=spark.version, master=master, mode=mode, remote=job.get("remote"))
        emit("step", step="session", seconds=t.seconds())
        try:
            RUNS[mode](spark, job)
        finally:
            release_cached(spark)
        emit("done", seconds=total.seconds())
        if job.get("session") != "existing":
            spark.stop()


if __name__ == "__main__":
    main()
