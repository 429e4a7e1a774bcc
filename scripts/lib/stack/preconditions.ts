/**
 * What the installs need from the machine, checked before anything is downloaded: one table of
 * prerequisites (present, missing, and the command that gets each), the Debian ones installed
 * by the project itself when it can, then one failure naming everything still missing.
 *
 * @module
 */
import type { Component, Requirement, StackContext } from "./component.ts";
import { aptInstall, missingDebs, which } from "./install.ts";
import { table } from "../view/table.ts";

/** What one check found on this machine. */
export interface Found {
  ok: boolean;
  /** What is there: a version, a path, or why it does not do. */
  detail: string;
}

/** One machine prerequisite: how to check it and how to get it. */
export interface Prerequisite {
  title: string;
  check(ctx: StackContext, needs: Component[]): Promise<Found>;
  /** Debian packages that provide it, installed by the project when apt-get and root are there. */
  debs?: string[];
  /** The command (or step) that gets it, shown when it is missing. */
  fix: string;
}

/** Text of a command's stdout and stderr, or undefined when it cannot run. */
async function output(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) return undefined;
    const dec = new TextDecoder();
    return (dec.decode(out.stdout) + dec.decode(out.stderr)).trim();
  } catch {
    return undefined;
  }
}

/**
 * The first version number `major.minor[.patch]` in a text, as numbers.
 *
 * @example
 * ```ts
 * import { versionIn } from "./preconditions.ts";
 * versionIn('openjdk version "17.0.15" 2025-04-15'); // [17, 0, 15]
 * versionIn("go version go1.26.8 linux/amd64"); // [1, 26, 8]
 * ```
 */
export function versionIn(text: string): number[] | undefined {
  const m = text.match(/(\d+)\.(\d+)(?:\.(\d+))?/);
  return m ? m.slice(1).filter((x) => x !== undefined).map(Number) : undefined;
}

/**
 * True when version `v` is at least `min` (missing parts count as 0).
 *
 * @example
 * ```ts
 * import { atLeast } from "./preconditions.ts";
 * atLeast([1, 26, 8], [1, 21]); // true
 * atLeast([3, 10], [3, 11]); // false
 * ```
 */
export function atLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < Math.max(v.length, min.length); i++) {
    const a = v[i] ?? 0, b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/**
 * The oldest Go that can build MinIO: from 1.21 Go fetches the toolchain MinIO's go.mod names
 * (1.24) from the Go module proxy by itself; older ones cannot.
 */
const GO_MIN = [1, 21];
/** Python versions the pinned locks install on (numpy 2.4 and pandas 3 need 3.11; pyarrow 16 stops at 3.12). */
const PYTHON_RANGE = { min: [3, 11], below: [3, 13] };
/** Spare room on top of the components' own sizes (logs, build temp files). */
const DISK_MARGIN_MIB = 1024;

/** Python interpreters tried, in order, for the venvs. */
const PYTHON_CANDIDATES = ["python3", "python3.12", "python3.11", "/usr/bin/python3"];

/**
 * The Python the venvs are made with: PIPELINE_PYTHON, else the first of python3, python3.12,
 * python3.11 and Debian's /usr/bin/python3 that is 3.11 or 3.12 and has venv and ensurepip.
 */
export async function findPython(): Promise<{ path?: string; tried: string[] }> {
  const override = Deno.env.get("PIPELINE_PYTHON");
  const tried: string[] = [];
  for (const cmd of override ? [override] : PYTHON_CANDIDATES) {
    const text = await output(cmd, ["-c", "import sys, venv, ensurepip; print(sys.version)"]);
    const v = text === undefined ? undefined : versionIn(text);
    if (!v) {
      const plain = await output(cmd, ["--version"]);
      tried.push(
        plain ? `${cmd} ${plain.replace(/^Python /, "")} (no venv/ensurepip)` : `no ${cmd}`,
      );
      continue;
    }
    if (atLeast(v, PYTHON_RANGE.min) && !atLeast(v, PYTHON_RANGE.below)) {
      const path = cmd.startsWith("/") ? cmd : await which(cmd);
      return { path: path ?? cmd, tried };
    }
    tried.push(`${cmd} ${v.join(".")}`);
  }
  return { tried };
}

/**
 * The Python 3.13 of the AWS tools' venv (LocalStack and cfn-lint): PIPELINE_PYTHON313, else
 * python3.13 on PATH, else the newest 3.13 that pyenv installed.
 */
export async function findPython313(): Promise<{ path?: string; tried: string[] }> {
  const override = Deno.env.get("PIPELINE_PYTHON313");
  const pyenv = `${
    Deno.env.get("PYENV_ROOT") ?? `${Deno.env.get("HOME") ?? "/root"}/.pyenv`
  }/versions`;
  const installed: string[] = [];
  try {
    for await (const e of Deno.readDir(pyenv)) {
      if (/^3\.13\.\d+$/.test(e.name)) installed.push(`${pyenv}/${e.name}/bin/python3.13`);
    }
  } catch {
    // No pyenv: PATH is all there is.
  }
  installed.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  const tried: string[] = [];
  for (const cmd of override ? [override] : ["python3.13", ...installed]) {
    const text = await output(cmd, ["-c", "import sys, venv, ensurepip; print(sys.version)"]);
    const v = text === undefined ? undefined : versionIn(text);
    if (v?.[0] === 3 && v[1] === 13) {
      return { path: cmd.startsWith("/") ? cmd : (await which(cmd)) ?? cmd, tried };
    }
    tried.push(v ? `${cmd} ${v.join(".")}` : `no ${cmd} with venv`);
  }
  return { tried };
}

/** Go on PATH or in Go's usual /usr/local/go. */
export async function findGo(): Promise<string | undefined> {
  return await which("go") ??
    (await Deno.stat("/usr/local/go/bin/go").then(() => "/usr/local/go/bin/go", () => undefined));
}

async function javaOnPath(): Promise<Found> {
  const text = await output("java", ["-version"]);
  const v = text === undefined ? undefined : versionIn(text);
  if (!v) return { ok: false, detail: "no java on PATH" };
  return { ok: v[0] >= 17, detail: `java ${v.join(".")}${v[0] >= 17 ? "" : " (too old)"}` };
}

/** Candidates for Java 17: Spark 3.5 breaks on newer JVMs (Temurin 25 is on PATH on some machines). */
const JAVA17_HOMES = [
  "/usr/lib/jvm/java-17-openjdk-amd64",
  "/usr/lib/jvm/java-17-openjdk-arm64",
  "/usr/lib/jvm/java-17-openjdk",
  "/usr/lib/jvm/temurin-17-jdk-amd64",
];

/**
 * A Java 17 home (Spark 3.5 runs on 17): PIPELINE_JAVA17_HOME, else Debian's and Temurin's.
 *
 * @example
 * ```ts
 * import { java17Home } from "./preconditions.ts";
 * const home = await java17Home(); // "/usr/lib/jvm/java-17-openjdk-amd64"
 * ```
 */
export async function java17Home(): Promise<string> {
  const override = Deno.env.get("PIPELINE_JAVA17_HOME");
  // Every Spark job asks: a look at the file, not a JVM start (the precondition runs -version).
  for (const home of override ? [override] : JAVA17_HOMES) {
    if (await Deno.stat(`${home}/bin/java`).then((s) => s.isFile, () => false)) return home;
  }
  throw new Error(
    `Cannot find Java 17 for Spark in ${override ?? JAVA17_HOMES.join(", ")}: ` +
      "install it with `apt-get install openjdk-17-jdk-headless` or set PIPELINE_JAVA17_HOME",
  );
}

async function debsOf(needs: Component[], ctx: StackContext): Promise<string[]> {
  const all = needs.flatMap((c) => c.debianPackages?.(ctx) ?? []);
  return await missingDebs([...new Set(all)]);
}

async function freeMiB(path: string): Promise<number | undefined> {
  let dir = path;
  while (dir && !(await Deno.stat(dir).then(() => true, () => false))) {
    dir = dir.slice(0, dir.lastIndexOf("/"));
  }
  const text = await output("df", ["-Pk", dir || "/"]);
  const kb = Number(text?.split("\n")[1]?.split(/\s+/)[3]);
  return Number.isFinite(kb) ? Math.floor(kb / 1024) : undefined;
}

/** Every prerequisite a component can name, with its check and its fix. */
export const PREREQUISITES: Record<Requirement, Prerequisite> = {
  java: {
    title: "Java 17+ on PATH",
    check: () => javaOnPath(),
    debs: ["openjdk-17-jdk-headless"],
    fix: "apt-get install openjdk-17-jdk-headless",
  },
  java17: {
    title: "a Java 17 home (Spark)",
    async check() {
      let home: string;
      try {
        home = await java17Home();
      } catch {
        return { ok: false, detail: "none found (PIPELINE_JAVA17_HOME to point at one)" };
      }
      const v = versionIn((await output(`${home}/bin/java`, ["-version"])) ?? "");
      return v?.[0] === 17
        ? { ok: true, detail: home }
        : { ok: false, detail: `${home} is Java ${v?.join(".") ?? "that does not run"}` };
    },
    debs: ["openjdk-17-jdk-headless"],
    fix: "apt-get install openjdk-17-jdk-headless, or set PIPELINE_JAVA17_HOME",
  },
  maven: {
    title: "Maven 3 (fetches jars from Maven Central)",
    async check() {
      const text = await output("mvn", ["-v"]);
      const v = text === undefined ? undefined : versionIn(text);
      return v ? { ok: v[0] >= 3, detail: `mvn ${v.join(".")}` } : { ok: false, detail: "no mvn" };
    },
    debs: ["maven"],
    fix: "apt-get install maven",
  },
  go: {
    title: `Go ${GO_MIN.join(".")}+ (builds MinIO)`,
    async check() {
      const go = await findGo();
      const text = go && await output(go, ["version"]);
      const v = text ? versionIn(text) : undefined;
      if (!v) return { ok: false, detail: "no go on PATH or in /usr/local/go" };
      return {
        ok: atLeast(v, GO_MIN),
        detail: `go ${v.join(".")}${atLeast(v, GO_MIN) ? "" : " (too old)"}`,
      };
    },
    // Debian bookworm's golang-go is 1.19: too old to fetch the toolchain MinIO's go.mod names.
    fix: "install Go 1.21 or newer (https://go.dev/doc/install); it fetches the Go version " +
      "MinIO needs from the Go module proxy by itself",
  },
  python: {
    title: `Python ${PYTHON_RANGE.min.join(".")}-3.12 with venv`,
    async check() {
      const { path, tried } = await findPython();
      return path
        ? { ok: true, detail: path }
        : { ok: false, detail: tried.join("; ") || "no python3" };
    },
    debs: ["python3", "python3-venv"],
    fix: "apt-get install python3 python3-venv (Debian 12's is 3.11), `pyenv install 3.11`, " +
      "or set PIPELINE_PYTHON to a Python 3.11/3.12",
  },
  python313: {
    title: "Python 3.13 with venv (LocalStack, cfn-lint)",
    async check() {
      const { path, tried } = await findPython313();
      return path ? { ok: true, detail: path } : { ok: false, detail: tried.join("; ") };
    },
    fix: "`pyenv install 3.13`, or set PIPELINE_PYTHON313 to a Python 3.13",
  },
  node: {
    title: "Node.js 18+ with npm (kinesalite)",
    async check() {
      const text = await output("node", ["--version"]);
      const v = text === undefined ? undefined : versionIn(text);
      if (!v) return { ok: false, detail: "no node" };
      if (!(await which("npm"))) return { ok: false, detail: `node ${v.join(".")}, no npm` };
      return { ok: v[0] >= 18, detail: `node ${v.join(".")}${v[0] >= 18 ? "" : " (too old)"}` };
    },
    debs: ["nodejs", "npm"],
    fix: "apt-get install nodejs npm",
  },
  ss: {
    title: "ss (iproute2): the tests read the stack's listening sockets with it",
    async check() {
      return (await which("ss"))
        ? { ok: true, detail: "ss on PATH" }
        : { ok: false, detail: "no ss" };
    },
    debs: ["iproute2"],
    fix: "apt-get install iproute2",
  },
  apt: {
    title: "apt-get as root (Debian packages)",
    async check(ctx, needs) {
      const missing = await debsOf(needs, ctx);
      if (missing.length === 0) return { ok: true, detail: "packages already installed" };
      if (!(await which("apt-get"))) {
        return { ok: false, detail: `no apt-get to install ${missing.join(" ")}` };
      }
      return Deno.uid() === 0
        ? { ok: true, detail: `will install ${missing.join(" ")}` }
        : { ok: false, detail: `not root: cannot install ${missing.join(" ")}` };
    },
    fix: "run as root, or install the packages first: sudo apt-get install <packages>",
  },
  disk: {
    title: "free disk for the cache",
    async check(ctx, needs) {
      const want = needs.reduce((n, c) => n + (c.diskMiB ?? 0), 0) + DISK_MARGIN_MIB;
      const free = await freeMiB(ctx.cfg.cacheDir);
      if (free === undefined) return { ok: true, detail: "unknown (df failed)" };
      return {
        ok: free >= want,
        detail: `${(free / 1024).toFixed(1)} GiB free, ${(want / 1024).toFixed(1)} GiB needed`,
      };
    },
    fix: "free disk space, or point PIPELINE_CACHE_DIR at a larger disk",
  },
};

/** One row of the preconditions table. */
export interface PreconditionRow {
  requirement: Requirement;
  title: string;
  neededBy: string[];
  found: Found;
  fix: string;
}

/** Checks every prerequisite of `components` (plus free disk), in the table's order. */
export async function checkPreconditions(
  ctx: StackContext,
  components: Component[],
): Promise<PreconditionRow[]> {
  const names = Object.keys(PREREQUISITES) as Requirement[];
  const rows: PreconditionRow[] = [];
  for (const r of names) {
    const users = components.filter((c) =>
      r === "disk" ? (c.diskMiB ?? 0) > 0 : (c.requires ?? []).includes(r)
    );
    if (users.length === 0) continue;
    rows.push({
      requirement: r,
      title: PREREQUISITES[r].title,
      neededBy: users.map((c) => c.name),
      found: await PREREQUISITES[r].check(ctx, users),
      fix: PREREQUISITES[r].fix,
    });
  }
  return rows;
}

/** The table as printed before an install. */
export function preconditionTable(rows: PreconditionRow[]): string {
  return table(rows.map((r) => ({
    prerequisite: r.title,
    "needed by": r.neededBy.join(", "),
    found: r.found.detail,
    state: r.found.ok ? "✔" : "✘ missing",
    "how to get it": r.found.ok ? "" : r.fix,
  })));
}

/** Raised once, before any download, when the machine lacks a prerequisite. */
export class PreconditionError extends Error {
  constructor(rows: PreconditionRow[]) {
    const missing = rows.filter((r) => !r.found.ok);
    super(
      `Cannot install ${[...new Set(missing.flatMap((r) => r.neededBy))].join(", ")}: ` +
        `this machine lacks ${missing.map((r) => `${r.title} (${r.found.detail})`).join("; ")}.\n` +
        missing.map((r) => `  ${r.title}: ${r.fix}`).join("\n") +
        "\nNothing was downloaded; run the same command again once they are there.",
    );
    this.name = "PreconditionError";
  }
}

/**
 * Checks the prerequisites of the components about to be installed and prints the table; a
 * missing Debian-packaged one is installed first when apt-get and root are there. Throws one
 * {@linkcode PreconditionError} naming everything still missing, before any download.
 */
export async function ensurePreconditions(
  ctx: StackContext,
  components: Component[],
): Promise<PreconditionRow[]> {
  let rows = await checkPreconditions(ctx, components);
  const fixable = rows.filter((r) => !r.found.ok && PREREQUISITES[r.requirement].debs);
  const canApt = Deno.uid() === 0 && (await which("apt-get")) !== undefined;
  if (fixable.length && canApt) {
    const debs = [...new Set(fixable.flatMap((r) => PREREQUISITES[r.requirement].debs!))];
    console.log(`Installing missing prerequisites from Debian: ${debs.join(" ")}`);
    await aptInstall({ component: "prerequisites", logFile: ctx.log("install-prereqs.log") }, debs);
    rows = await checkPreconditions(ctx, components);
  }
  console.log(preconditionTable(rows));
  if (rows.some((r) => !r.found.ok)) throw new PreconditionError(rows);
  return rows;
}
