/**
 * Reads what `airflow dags test` prints, line by line: which lines are worth showing, and when
 * each task started (Airflow 2.10's `dags test` leaves start_date and duration empty in the
 * metadata database, but logs "[DAG TEST] starting task_id=...").
 *
 * @module
 */

/** A log line in Airflow's own format: `[2024-06-01T12:00:00.123+0000] {file.py:1} INFO - ...` */
const STAMPED = /^\[(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}):?(\d{2})\]/;
/** The same line again from the handler `dags test` adds: `[2024-06-01 12:00:00,123] ...` */
const ECHOED = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\] /;
const STARTING = /\[DAG TEST\] starting task_id=(\S+)/;
const IDLE = "No tasks to run. unrunnable tasks";

/**
 * Filters one stream of `airflow dags test` output and records task start times.
 *
 * @example
 * ```ts
 * const out = new DagTestOutput();
 * out.accept("[2024-06-01T10:00:00.000+0000] {dag.py:4396} INFO - [DAG TEST] starting task_id=load_lake map_index=-1"); // true
 * out.starts.get("load_lake"); // "2024-06-01T10:00:00.000+00:00"
 * out.accept("[2024-06-01 10:00:00,000] {dag.py:4396} INFO - [DAG TEST] starting task_id=load_lake"); // false
 * ```
 */
export class DagTestOutput {
  /** ISO start time of each task's latest try. */
  readonly starts: Map<string, string>;
  private echo = false;
  private idle = false;

  /** `starts` may be shared by the readers of stdout and stderr. */
  constructor(starts: Map<string, string> = new Map()) {
    this.starts = starts;
  }

  /** Takes the next line; true when it is worth showing. */
  accept(line: string): boolean {
    // Every task log line comes twice; the echo and its traceback lines are dropped.
    if (ECHOED.test(line)) {
      this.echo = true;
      return false;
    }
    if (line.startsWith("[")) this.echo = false;
    else if (this.echo) return false;
    const stamp = STAMPED.exec(line);
    const task = STARTING.exec(line);
    if (stamp && task) this.starts.set(task[1], `${stamp[1]}${stamp[2]}:${stamp[3]}`);
    // While a task waits for its retry, dags test says so every second: show it once.
    const idle = line.includes(IDLE);
    const show = !(idle && this.idle);
    this.idle = idle;
    return show;
  }
}

const MARKING = /Marking task as (\w+)\. dag_id=[^,]+, task_id=([^,]+)/;
const FINISHED = /DagRun Finished: .*, state=(\w+)/;
/** A task's command saying what failed, as every deno task does: `✘ Cannot ...` */
const TASK_ERROR = /\} \w+ - (✘ .*)$/;
const ERROR = /\} ERROR - (.*)$/;

/**
 * The short form of a line that marks progress (a task starts or ends, the run finishes) or
 * says what failed, or undefined for any other line: a summary of a run.
 *
 * @example
 * ```ts
 * milestone("[2024-06-01T10:00:00.000+0000] {dag.py:4396} INFO - [DAG TEST] starting task_id=load_lake map_index=-1");
 * // "10:00:00 ▶ load_lake"
 * ```
 */
export function milestone(line: string): string | undefined {
  const stamp = STAMPED.exec(line);
  if (!stamp) return undefined;
  const time = stamp[1].slice(11, 19);
  const start = STARTING.exec(line);
  if (start) return `${time} ▶ ${start[1]}`;
  const mark = MARKING.exec(line);
  if (mark) return `${time} ${mark[1] === "SUCCESS" ? "✔" : "✘"} ${mark[2]} ${mark[1]}`;
  const done = FINISHED.exec(line);
  if (done) return `${time} DAG run ${done[1]}`;
  const said = TASK_ERROR.exec(line) ?? ERROR.exec(line);
  if (said) return `${time}   ${said[1]}`;
  return undefined;
}
