/**
 * What the Spark drivers print on stdout, one JSON event a line: the batch driver's events and
 * report, and the one parser both drivers' lines go through.
 *
 * @module
 */
/** One timed step: session, mount, read, clean, query or write. */
export interface StepEvent {
  event: "step";
  step: "session" | "mount" | "read" | "clean" | "query" | "write";
  name?: string;
  rows?: number;
  seconds: number;
  path?: string;
  format?: "delta" | "csv";
}

/** The first rows of a cleaned table or a query result. */
export interface TableEvent {
  event: "table";
  name: string;
  stage: "clean" | "query";
  columns: string[];
  types: string[];
  rows: Record<string, unknown>[];
}

/**
 * Mode `bench`: the whole batch job beside the faster of two scans of the same raw JSON, in wall
 * seconds and in CPU seconds of the JVM (0 where there is no /proc).
 */
export interface BenchEvent {
  event: "bench";
  scan_seconds: number;
  scans: number[];
  batch_seconds: number;
  scan_cpu_seconds: number;
  batch_cpu_seconds: number;
}

/** Everything the driver prints on stdout, one JSON object per line. */
export type SparkEvent =
  | { event: "start"; spark: string; master: string; mode: string; remote?: string | null }
  | StepEvent
  | TableEvent
  | { event: "done"; seconds: number }
  | BenchEvent
  | { event: "error"; message: string; unexpected?: boolean };

/** What a finished job reports. */
export interface SparkReport {
  sparkVersion: string;
  /** Where the job ran: `local` (its own JVM) or the Spark Connect URL. */
  engine: string;
  steps: StepEvent[];
  /** By table or query name, in the order they came. */
  tables: Record<string, TableEvent>;
  seconds: number;
  logFile: string;
}

/**
 * Parses one stdout line of a driver (batch or stream): an event, or undefined for anything else
 * (the JVM may print its own lines on stdout).
 *
 * @example
 * ```ts
 * parseEvent('{"event": "done", "seconds": 1.5}'); // { event: "done", seconds: 1.5 }
 * parseEvent("Setting default log level"); // undefined
 * ```
 */
export function parseEvent<T extends { event: string } = SparkEvent>(
  line: string,
): T | undefined {
  if (!line.startsWith('{"event"')) return undefined;
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
