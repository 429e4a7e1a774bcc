/**
 * The sockets processes listen on, as the kernel reports them (`ss`), not as their config says:
 * the security test checks that every listener of the stack is bound to the loopback.
 *
 * @module
 */

/** One listening socket and the processes holding it. */
export interface Listener {
  proto: "tcp" | "udp";
  /** Local address without brackets: `127.0.0.1`, `::1`, `::ffff:127.0.0.1`, `0.0.0.0`, `*`. */
  address: string;
  port: number;
  pids: number[];
}

/**
 * Parses `ss -H -l -n -t -u -p` output.
 *
 * @example
 * ```ts
 * import { parseSs } from "./listeners.ts";
 * parseSs('tcp LISTEN 0 50 [::ffff:127.0.0.1]:9092 *:* users:(("java",pid=42,fd=200))');
 * // [{ proto: "tcp", address: "::ffff:127.0.0.1", port: 9092, pids: [42] }]
 * ```
 */
export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^(tcp|udp)$/.test(f[0])) continue;
    const m = /^\[?(.*?)\]?(%\S+)?:(\d+|\*)$/.exec(f[4]);
    if (!m || m[3] === "*") continue;
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((p) => Number(p[1]));
    out.push({ proto: f[0] as "tcp" | "udp", address: m[1], port: Number(m[3]), pids });
  }
  return out;
}

/**
 * True for an address of the loopback only (127.0.0.0/8, ::1, and 127.x mapped into IPv6).
 *
 * @example
 * ```ts
 * import { isLoopback } from "./listeners.ts";
 * [isLoopback("127.0.0.1"), isLoopback("::ffff:127.0.0.1"), isLoopback("0.0.0.0")];
 * // [true, true, false]
 * ```
 */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address) || address === "::1";
}

/** Every listening TCP and UDP socket of the machine, with its processes (needs `ss`). */
export async function listeners(): Promise<Listener[]> {
  const out = await new Deno.Command("ss", { args: ["-H", "-l", "-n", "-t", "-u", "-p"] })
    .output()
    .catch((e) => {
      throw new Error(`Cannot list listening sockets: ss failed (${e.message}); install iproute2`);
    });
  if (!out.success) {
    throw new Error(`Cannot list listening sockets: ${new TextDecoder().decode(out.stderr)}`);
  }
  return parseSs(new TextDecoder().decode(out.stdout));
}
