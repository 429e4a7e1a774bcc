/**
 * What the stream driver (scripts/spark/stream_job.py) prints on stdout, one JSON event a line.
 *
 * @module
 */
import type { Kind } from "../core/names.ts";

/** One micro-batch written to a table. */
export interface BatchEvent {
  event: "batch";
  kind: Kind;
  table: string;
  batch_id: number;
  rows_in: number;
  dead_letters: number;
  inserted: number | null;
  seconds: number;
  /** Epoch ms when the job was handed the micro-batch (its Kinesis read starts then). */
  started_ms: number;
  /** Epoch ms when the Delta commit returned: the rows are visible from then on. */
  committed_ms: number;
  /** Cleaned keys (`ind`), with `emitKeys`. */
  keys?: number[];
}

/** Spark's progress report of one trigger (`emitProgress`): durations in ms by phase. */
export interface ProgressEvent {
  event: "progress";
  kind: Kind;
  batch_id: number;
  rows: number;
  /** ISO start of the trigger. */
  timestamp: string;
  duration_ms: Record<string, number>;
}

/** One table as a snapshot reads it. */
export interface TableSnapshot {
  table: string;
  count: number;
  columns: string[];
  types: string[];
  rows?: Record<string, unknown>[];
}

/** Everything the driver prints on stdout. */
export type StreamEvent =
  | { event: "start"; spark: string; master: string }
  | { event: "step"; step: string; seconds: number }
  | { event: "ready"; queries: Record<Kind, string>; seconds: number }
  | BatchEvent
  | ProgressEvent
  | { event: "snapshot"; id: string; tables: Record<Kind, TableSnapshot> }
  | { event: "warning"; message: string }
  /** A query stopped because Kinesis could not be reached, started again from its checkpoint. */
  | { event: "restart"; kind: Kind; attempt: number; reason: string }
  | { event: "stopping" }
  | { event: "stopped"; seconds: number }
  | { event: "error"; message: string; unexpected?: boolean };
