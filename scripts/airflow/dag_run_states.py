"""The run of one logical date of a DAG and its task instances, from Airflow's metadata DB.

Run in the Airflow venv by scripts/lib/dag/run.ts:
    python dag_run_states.py MARK DAG_ID YYYY-MM-DD
It prints one line, MARK followed by {"runId", "state", "tasks": [...]} as JSON (the fields of
TaskRun in run.ts); runId and state are null when no run was recorded.
"""

import json
import sys

from airflow.models import DagRun
from airflow.utils import timezone
from airflow.utils.session import create_session


def iso(d):
    return d.isoformat() if d else None


def main(mark, dag_id, date):
    out = {"runId": None, "state": None, "tasks": []}
    with create_session() as session:
        runs = DagRun.find(dag_id=dag_id, execution_date=timezone.parse(date), session=session)
        for run in runs:
            out = {
                "runId": run.run_id,
                "state": run.state,
                "tasks": [
                    {
                        "taskId": ti.task_id,
                        "state": ti.state,
                        "start": iso(ti.start_date),
                        "end": iso(ti.end_date),
                        "seconds": ti.duration,
                        "tryNumber": ti.try_number,
                    }
                    for ti in run.get_task_instances(session=session)
                ],
            }
    print(mark + json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:4])
