"""Describes the project's DAG as Airflow's own DagBag parses it (as the scheduler would).

Run in the Airflow venv by scripts/lib/dag/inspect.ts:
    python inspect_dag.py MARK DAG_FOLDER DAG_ID
It prints one line, MARK followed by the DAG as JSON (the fields of DagInfo in inspect.ts), or
``{"error": ..., "dag_ids": [...]}`` when the DAG is not found.
"""

import json
import sys

from airflow.models import DagBag


def describe(dag):
    return {
        "dagId": dag.dag_id,
        "fileloc": dag.fileloc,
        # Airflow 2.10 keeps "@daily" here; the timetable would say "0 0 * * *".
        "schedule": str(getattr(dag, "schedule_interval", None) or dag.timetable.summary),
        "catchup": dag.catchup,
        "tags": sorted(dag.tags),
        "maxActiveRuns": dag.max_active_runs,
        "hasDoc": bool(dag.doc_md),
        "tasks": [
            {
                "taskId": t.task_id,
                "operator": t.task_type,
                "upstream": sorted(t.upstream_task_ids),
                "retries": t.retries,
                "retryDelaySeconds": t.retry_delay.total_seconds(),
                "bashCommand": getattr(t, "bash_command", None),
                "databricks": getattr(t, "json", None),
            }
            for t in dag.tasks
        ],
    }


def main(mark, dag_folder, dag_id):
    bag = DagBag(dag_folder=dag_folder, include_examples=False)
    dag = bag.get_dag(dag_id)
    if dag is None:
        errors = "; ".join(
            f"{f}: {e.strip().splitlines()[-1]}" for f, e in bag.import_errors.items()
        )
        print(mark + json.dumps({"error": errors or "no such DAG", "dag_ids": bag.dag_ids}))
        return
    print(mark + json.dumps(describe(dag)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
