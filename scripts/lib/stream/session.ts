/**
 * Talking to a running stream driver: its stdout events (ready, snapshots, errors, stop), its
 * stderr into the log, and commands over stdin, with the reasons when it has gone.
 *
 * @module
 */
import type { Kind } from "../core/names.ts";
import { textLines } from "../core/lines.ts";
import { parseEvent } from "../spark/events.ts";
import type { StreamEvent, TableSnapshot } from "./events.ts";

/** How a job ended. */
export interface StreamJobEnd {
  code: number;
  /** The driver's own error message, if it reported one. */
  error?: string;
  /** True when the job stopped on request and exited 0. */
  graceful: boolean;
}

/** One driver process, as {@linkcode driverSession} watches it. */
export interface DriverSession {
  /** Resolves at the driver's `ready` event; rejects when it exits first. */
  ready: Promise<void>;
  ended: Promise<StreamJobEnd>;
  /** Sends one command; throws saying why when the driver has ended. */
  send(cmd: Record<string, unknown>): Promise<void>;
  /** Sends a snapshot command and resolves to its answer (rejects on timeout or exit). */
  snapshot(opts: { rows?: boolean; timeoutSeconds?: number }): Promise<Record<Kind, TableSnapshot>>;
  /** True while commands can still be sent. */
  open(): boolean;
}

/** Watches a spawned stream driver: events to `onEvent`, other output to `writeLog`. */
export function driverSession(
  child: Deno.ChildProcess,
  io: { log: Deno.FsFile; writeLog: (line: string) => void; logFile: string },
  onEvent?: (e: StreamEvent) => void,
): DriverSession {
  const { log, writeLog, logFile } = io;
  const encoder = new TextEncoder();
  const stdin = child.stdin.getWriter();
  let stdinOpen = true;
  let error: string | undefined;
  let stopped = false;
  const ready = Promise.withResolvers<void>();
  const waiting = new Map<string, (e: Record<Kind, TableSnapshot>) => void>();
  const tail: string[] = [];

  const readStdout = (async () => {
    for await (const line of textLines(child.stdout)) {
      const e = parseEvent<StreamEvent>(line);
      if (!e) {
        writeLog(line);
        continue;
      }
      if (e.event === "ready") ready.resolve();
      else if (e.event === "error") error = e.message;
      else if (e.event === "stopped") stopped = true;
      else if (e.event === "snapshot") {
        waiting.get(e.id)?.(e.tables);
        waiting.delete(e.id);
      }
      onEvent?.(e);
    }
  })();
  const readStderr = (async () => {
    for await (const line of textLines(child.stderr)) {
      writeLog(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  })();
  const ended = (async (): Promise<StreamJobEnd> => {
    const [status] = await Promise.all([child.status, readStdout, readStderr]);
    stdinOpen = false;
    await stdin.close().catch(() => {});
    log.close();
    if (!stopped) {
      ready.reject(
        new Error(
          error ??
            `The stream job exited with code ${status.code} before it was ready; see ${logFile}. ` +
              `Last lines:\n${tail.join("\n")}`,
        ),
      );
    }
    return { code: status.code, error, graceful: stopped && status.success };
  })();
  ready.promise.catch(() => {});

  const send = async (cmd: Record<string, unknown>) => {
    const gone = () =>
      new Error(`The stream job has ended${error ? `: ${error}` : ""}; see ${logFile}`);
    if (!stdinOpen) throw gone();
    try {
      await stdin.write(encoder.encode(JSON.stringify(cmd) + "\n"));
    } catch {
      // The driver exited between two commands: say why rather than "broken pipe".
      await ended.catch(() => {});
      throw gone();
    }
  };

  return {
    ready: ready.promise,
    ended,
    send,
    open: () => stdinOpen,
    async snapshot(o) {
      const id = crypto.randomUUID();
      const answer = new Promise<Record<Kind, TableSnapshot>>((resolve) =>
        waiting.set(id, resolve)
      );
      await send({ cmd: "snapshot", id, rows: o.rows ?? false });
      const timeout = (o.timeoutSeconds ?? 120) * 1000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const failed = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`The stream job did not answer a snapshot in ${timeout / 1000} s`)),
          timeout,
        );
        ended.then((e) =>
          reject(new Error(`The stream job ended (code ${e.code}) before answering a snapshot`))
        );
      });
      try {
        return await Promise.race([answer, failed]);
      } finally {
        clearTimeout(timer);
        waiting.delete(id);
      }
    },
  };
}
