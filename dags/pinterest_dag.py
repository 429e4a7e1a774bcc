"""The daily batch of the Pinterest data pipeline (docs/spec.md §7): one DAG for two worlds.

``load_lake >> [clean_pin, clean_geo, clean_user] >> analytics``, each task one step of the
Spark batch job (scripts/spark/batch_job.py over sql/clean and sql/analytics):

- **local** (default): a BashOperator runs ``deno task batch --step <step>`` in this
  repository, against the local stack named by the PIPELINE_* environment.
- **databricks**: a DatabricksSubmitRunOperator runs the same driver with the same step as a
  ``spark_python_task`` on an existing cluster, through connection ``databricks_default``.

Switching is configuration, never an edit. Each setting is read from the environment first
(no metadata-database query while the scheduler parses), then from an Airflow Variable:

- **user id** (dag_id ``<user_id>_dag``): PIPELINE_USER_ID, Variable ``pipeline_user_id``,
  else ``user_id`` of pipeline.yaml (or of the file PIPELINE_CONFIG names).
- **target**: PIPELINE_DAG_TARGET, Variable ``pipeline_dag_target`` (``local`` or
  ``databricks``); unset, databricks when connection ``databricks_default`` names a workspace.
- **retries**: PIPELINE_DAG_RETRIES, Variable ``pipeline_dag_retries``; 2, 2 minutes apart
  (PIPELINE_DAG_RETRY_DELAY, Variable ``pipeline_dag_retry_delay``, in seconds).
- **Databricks cluster**: PIPELINE_DATABRICKS_CLUSTER_ID, Variable ``databricks_cluster_id``.
- **this repository in the workspace**: PIPELINE_DATABRICKS_REPO, Variable
  ``pipeline_databricks_repo``, e.g. ``/Workspace/Repos/me/pinterest-pipeline``.
- **Databricks lake and output**: PIPELINE_DATABRICKS_LAKE and _OUT, Variables
  ``pipeline_databricks_lake`` and ``pipeline_databricks_out``; by default
  ``s3a://user-<user_id>-bucket/topics`` and ``s3a://user-<user_id>-bucket/batch``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:  # Airflow 3 moved the authoring API to the Task SDK and BashOperator to a provider.
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG, Variable
except ImportError:
    from airflow import DAG
    from airflow.models import Variable
    from airflow.operators.bash import BashOperator

# The checkout the local tasks run in: this file's dags/ sits in it (PIPELINE_REPO when the
# file was copied to another dags folder).
REPO = Path(os.environ.get("PIPELINE_REPO") or Path(__file__).resolve().parent.parent)
CONN_ID = "databricks_default"
# Every name comes from names.json beside this file, as scripts/lib/core/names.ts reads it.
NAMES = json.loads((Path(__file__).resolve().parent / "names.json").read_text(encoding="utf-8"))
KINDS = tuple(NAMES["kinds"])
USER_ID = re.compile(NAMES["user_id_pattern"])
TARGETS = ("local", "databricks")


def setting(env, variable, default=None):
    """The environment's value, else the Airflow Variable's, else `default`."""
    value = os.environ.get(env)
    if value:
        return value
    # Positional default: Airflow 2 names it default_var, the Airflow 3 SDK default.
    return Variable.get(variable, None) or default


def config_user_id():
    """`user_id` of pipeline.yaml (or of PIPELINE_CONFIG), as every deno task reads it."""
    import yaml  # PyYAML comes with Airflow

    path = Path(os.environ.get("PIPELINE_CONFIG") or REPO / "pipeline.yaml")
    try:
        return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("user_id")
    except OSError as e:
        raise ValueError(
            f"Cannot name the DAG: {path} is unreadable ({e.strerror}); set PIPELINE_USER_ID "
            "or the Airflow Variable pipeline_user_id"
        ) from e


def databricks_configured():
    """True when connection databricks_default names a real workspace."""
    try:
        from airflow.hooks.base import BaseHook

        conn = BaseHook.get_connection(CONN_ID)
    except Exception:  # noqa: BLE001 - not found, or no metadata database to ask
        return False
    # Airflow's default connections include databricks_default on localhost: no workspace.
    return bool(conn.host) and conn.host not in ("localhost", "127.0.0.1")


def resolve_settings():
    user_id = setting("PIPELINE_USER_ID", "pipeline_user_id") or config_user_id()
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise ValueError(
            f"Invalid user id {user_id!r}: use 1-40 lower-case letters, digits or dashes "
            "(PIPELINE_USER_ID, Variable pipeline_user_id or user_id in pipeline.yaml)"
        )
    target = setting("PIPELINE_DAG_TARGET", "pipeline_dag_target")
    if target is None:
        target = "databricks" if databricks_configured() else "local"
    if target not in TARGETS:
        raise ValueError(f"Invalid DAG target {target!r}: use local or databricks")
    retries = setting("PIPELINE_DAG_RETRIES", "pipeline_dag_retries", "2")
    if not str(retries).isdigit():
        raise ValueError(f"Invalid retries {retries!r}: give a count like 2")
    delay = setting("PIPELINE_DAG_RETRY_DELAY", "pipeline_dag_retry_delay", "120")
    if not str(delay).isdigit():
        raise ValueError(f"Invalid retry delay {delay!r}: give seconds like 120")
    return user_id, target, int(retries), int(delay)


def local_task_factory(user_id):
    """Builds tasks running one step each with the repository's own `deno task batch`."""
    deno = shlex.quote(os.environ.get("PIPELINE_DENO") or "deno")

    def task(task_id, step):
        return BashOperator(
            task_id=task_id,
            bash_command=f"{deno} task -q batch --step {step}",
            cwd=str(REPO),
            # The worker's environment (PIPELINE_* settings, PATH, the state dir) plus the
            # user id this DAG was named after, wherever it came from.
            env={"NO_COLOR": "1", "PIPELINE_USER_ID": user_id},
            append_env=True,
        )

    return task


def databricks_task_factory(user_id):
    """Builds tasks running the same driver on an existing Databricks cluster."""
    # Imported only for this target: the provider pulls in its HTTP clients.
    from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator

    cluster = setting("PIPELINE_DATABRICKS_CLUSTER_ID", "databricks_cluster_id")
    repo = setting("PIPELINE_DATABRICKS_REPO", "pipeline_databricks_repo")
    if not cluster or not repo:
        raise ValueError(
            "Cannot run the DAG on Databricks: set the Airflow Variables databricks_cluster_id "
            "(an existing cluster) and pipeline_databricks_repo (workspace path of this "
            "repository), or PIPELINE_DAG_TARGET=local"
        )
    bucket = NAMES["bucket"].format(user_id=user_id)
    base = {
        "lake": setting("PIPELINE_DATABRICKS_LAKE", "pipeline_databricks_lake",
                        f"s3a://{bucket}/topics"),
        "out": setting("PIPELINE_DATABRICKS_OUT", "pipeline_databricks_out",
                       f"s3a://{bucket}/batch"),
        "topics": {kind: NAMES["topic"].format(user_id=user_id, kind=kind) for kind in KINDS},
        "sql_dir": f"{repo.rstrip('/')}/sql",
        "session": "existing",
        "emit_rows": 20,
    }

    def task(task_id, step):
        mode, _, kind = step.partition(":")
        job = {**base, "mode": mode, **({"kinds": [kind]} if kind else {})}
        return DatabricksSubmitRunOperator(
            task_id=task_id,
            databricks_conn_id=CONN_ID,
            existing_cluster_id=cluster,
            run_name=f"{NAMES['dag_id'].format(user_id=user_id)}.{task_id}",
            spark_python_task={
                "python_file": f"{repo.rstrip('/')}/scripts/spark/batch_job.py",
                "parameters": ["--job", json.dumps(job, sort_keys=True)],
            },
        )

    return task


USER, TARGET, RETRIES, RETRY_DELAY = resolve_settings()

with DAG(
    dag_id=NAMES["dag_id"].format(user_id=USER),
    description="Clean the Pinterest lake with Spark SQL and answer the analytics questions",
    doc_md=__doc__,
    schedule="@daily",
    start_date=datetime(2024, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    # Every run rewrites the same Delta tables: one at a time.
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    tags=["pinterest", "batch", "spark", TARGET],
    default_args={
        "owner": "pinterest-pipeline",
        "retries": RETRIES,
        "retry_delay": timedelta(seconds=RETRY_DELAY),
        "execution_timeout": timedelta(minutes=30),
    },
) as dag:
    make = (local_task_factory if TARGET == "local" else databricks_task_factory)(USER)
    load_lake = make("load_lake", "load")
    cleaned = [make(f"clean_{kind}", f"clean:{kind}") for kind in KINDS]
    analytics = make("analytics", "analytics")
    load_lake >> cleaned >> analytics
