/**
 * A progress line for long work: redrawn in place on a terminal, a line every few seconds
 * otherwise (CI logs).
 *
 * @module
 */

/** A progress reporter. */
export interface Progress {
  update(done: number, total?: number, extra?: string): void;
  done(): void;
}

/** Creates a progress line counting `unit`s, with rate and percentage when total is known. */
export function progressLine(unit: string): Progress {
  const tty = Deno.stdout.isTerminal();
  const started = performance.now();
  let last = 0;
  let line = "";
  const enc = new TextEncoder();
  const render = (done: number, total?: number, extra = "") => {
    const secs = (performance.now() - started) / 1000;
    const rate = secs > 0 ? Math.round(done / secs) : 0;
    const pct = total ? ` ${((100 * done) / total).toFixed(0).padStart(3)}%` : "";
    const width = 24;
    const bar = total ? ` [${"#".repeat(Math.round((width * done) / total)).padEnd(width)}]` : "";
    return `${bar}${pct} ${done}${total ? `/${total}` : ""} ${unit}, ${rate}/s, ${
      secs.toFixed(1)
    } s${extra ? `, ${extra}` : ""}`;
  };
  return {
    update(done, total, extra) {
      const now = performance.now();
      if (now - last < (tty ? 100 : 5000) && done !== total) return;
      last = now;
      line = render(done, total, extra);
      if (tty) Deno.stdout.writeSync(enc.encode(`\r${line}\x1b[K`));
      else console.log(line.trim());
    },
    done() {
      if (tty && line) Deno.stdout.writeSync(enc.encode("\n"));
    },
  };
}
