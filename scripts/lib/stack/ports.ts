/**
 * Who holds a TCP port, so that `stack:up` can name the process in its error. Asks `ss`
 * (iproute2): Deno reads /proc/<pid>/fd only with --allow-all, which our tasks do not take.
 *
 * @module
 */

/** The process listening on a port. */
export interface PortHolder {
  pid?: number;
  command: string;
}

/** True when nothing listens on host:port. */
export function portFree(hostname: string, port: number): boolean {
  try {
    const l = Deno.listen({ hostname, port });
    l.close();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) return false;
    throw e;
  }
}

/** Parses one line of `ss -ltnpH` into the first process it names. */
export function parseSsLine(line: string): PortHolder | undefined {
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
  return m ? { command: m[1], pid: Number(m[2]) } : undefined;
}

/** Finds the process listening on `port`, if it can be seen. */
export async function portHolder(port: number): Promise<PortHolder | undefined> {
  try {
    const out = await new Deno.Command("ss", {
      args: ["-ltnpH", `sport = :${port}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const line = new TextDecoder().decode(out.stdout).split("\n").find((l) => l.trim());
    if (!line) return undefined;
    const holder = parseSsLine(line);
    if (!holder?.pid) return holder;
    const cmdline = await Deno.readTextFile(`/proc/${holder.pid}/cmdline`).catch(() => "");
    const full = cmdline.split("\0").filter(Boolean).join(" ");
    return { pid: holder.pid, command: (full || holder.command).slice(0, 160) };
  } catch {
    return undefined;
  }
}
