/**
 * Install steps of the local stack: each one runs a registry client (apt, Maven, go, npm, pip),
 * logs its output, shows progress, and on failure names the component, the step and the retry.
 *
 * @module
 */
import { tail } from "./process.ts";

/** An install that failed: names the component and the step. */
export class InstallError extends Error {
  constructor(component: string, step: string, detail: string) {
    super(
      `Install of ${component} failed at step "${step}": ${detail}\n` +
        `Retry with: deno task stack:install --only ${component}`,
    );
    this.name = "InstallError";
  }
}

/** Where an install writes its log. */
export interface StepContext {
  component: string;
  logFile: string;
}

/**
 * Runs one install step, appending its output to the component's install log and printing
 * elapsed time while it runs.
 */
export async function step(
  ctx: StepContext,
  name: string,
  cmd: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<void> {
  const started = Date.now();
  const enc = new TextEncoder();
  const log = await Deno.open(ctx.logFile, { append: true, create: true });
  await log.write(enc.encode(`\n=== ${new Date().toISOString()} ${name}: ${cmd.join(" ")}\n`));
  console.log(`  · ${ctx.component}: ${name}`);
  const ticker = setInterval(() => {
    console.log(`    … ${name} (${Math.round((Date.now() - started) / 1000)} s)`);
  }, 15_000);
  let code: number;
  try {
    const child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      env: opts.env,
      cwd: opts.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await Promise.all([
      child.stdout.pipeTo(log.writable, { preventClose: true }),
      child.stderr.pipeTo(writerTo(ctx.logFile)),
    ]);
    code = (await child.status).code;
  } catch (e) {
    throw new InstallError(ctx.component, name, `cannot run ${cmd[0]}: ${(e as Error).message}`);
  } finally {
    clearInterval(ticker);
    log.close();
  }
  if (code !== 0) {
    throw new InstallError(
      ctx.component,
      name,
      `${cmd.join(" ")} exited with ${code}. Last lines of ${ctx.logFile}:\n${await tail(
        ctx.logFile,
        25,
      )}`,
    );
  }
  console.log(`    ✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function writerTo(file: string): WritableStream<Uint8Array> {
  let f: Deno.FsFile | undefined;
  return new WritableStream({
    async write(chunk) {
      f ??= await Deno.open(file, { append: true, create: true });
      await f.write(chunk);
    },
    close() {
      f?.close();
    },
  });
}

/** True when `dir` holds a finished install stamped with `stamp`. */
export async function isStamped(dir: string, stamp: string): Promise<boolean> {
  try {
    return (await Deno.readTextFile(`${dir}/.installed`)).trim() === stamp;
  } catch {
    return false;
  }
}

/**
 * Installs into `dir` once: skipped when the stamp matches; otherwise the directory is cleared
 * (a half-written install has no stamp), `fn` fills it, and the stamp is written last.
 */
export async function installOnce(
  dir: string,
  stamp: string,
  fn: () => Promise<void>,
): Promise<boolean> {
  if (await isStamped(dir, stamp)) return false;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  await fn();
  // Written whole then renamed: a process killed mid-write leaves no stamp, never half of one.
  await Deno.writeTextFile(`${dir}/.installed.tmp`, stamp + "\n");
  await Deno.rename(`${dir}/.installed.tmp`, `${dir}/.installed`);
  return true;
}

/** The path of a command on PATH, or undefined. */
export async function which(cmd: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    const path = `${dir}/${cmd}`;
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isFile && ((info.mode ?? 0o111) & 0o111)) return path;
  }
  return undefined;
}

/** Debian packages not yet installed, out of `pkgs`. */
export async function missingDebs(pkgs: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const p of pkgs) {
    const out = await new Deno.Command("dpkg-query", {
      args: ["-W", "-f=${Status}", p],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!new TextDecoder().decode(out.stdout).includes("install ok installed")) missing.push(p);
  }
  return missing;
}

let aptUpdated = false;

/**
 * Installs Debian packages that are missing, without starting any system service (we run our
 * own instances from the state directory).
 */
export async function aptInstall(ctx: StepContext, pkgs: string[]): Promise<void> {
  const missing = await missingDebs(pkgs);
  if (missing.length === 0) return;
  const policy = "/usr/sbin/policy-rc.d";
  const hadPolicy = await Deno.stat(policy).then(() => true, () => false);
  if (!hadPolicy) await Deno.writeTextFile(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    // An apt-get killed mid-way leaves packages unpacked but not configured; finish them first.
    const audit = await new Deno.Command("dpkg", { args: ["--audit"], stdout: "piped" }).output();
    if (new TextDecoder().decode(audit.stdout).trim()) {
      await step(ctx, "finish an interrupted dpkg run", ["dpkg", "--configure", "-a"], { env });
    }
    if (!aptUpdated) {
      await step(ctx, "apt-get update", ["apt-get", "update", "-q"], { env });
      aptUpdated = true;
    }
    await step(ctx, `apt-get install ${missing.join(" ")}`, [
      "apt-get",
      "install",
      "-y",
      "-q",
      "--no-install-recommends",
      ...missing,
    ], { env });
  } finally {
    if (!hadPolicy) await Deno.remove(policy).catch(() => {});
  }
}

/** A Maven artifact `group:artifact:version`, with optional exclusions `group:artifact`. */
export interface MavenDep {
  coords: string;
  exclusions?: string[];
}

/**
 * Copies artifacts and their dependencies from Maven Central into `dest` via a generated pom.
 */
export async function mavenFetch(
  ctx: StepContext,
  deps: MavenDep[],
  dest: string,
  m2: string,
  opts: { transitive?: boolean } = {},
): Promise<void> {
  const depXml = deps.map(({ coords, exclusions }) => {
    const [g, a, v] = coords.split(":");
    const ex = (exclusions ?? []).map((e) => {
      const [eg, ea] = e.split(":");
      return `<exclusion><groupId>${eg}</groupId><artifactId>${ea}</artifactId></exclusion>`;
    }).join("");
    return `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version>${
      ex ? `<exclusions>${ex}</exclusions>` : ""
    }</dependency>`;
  }).join("\n    ");
  const pomDir = await Deno.makeTempDir({ prefix: `pom-${ctx.component}-` });
  await Deno.writeTextFile(
    `${pomDir}/pom.xml`,
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.pinterest</groupId><artifactId>${ctx.component}</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${depXml}
  </dependencies>
</project>
`,
  );
  try {
    await step(ctx, "fetch jars from Maven Central", [
      "mvn",
      "-B",
      "-q",
      `-Dmaven.repo.local=${m2}`,
      "-f",
      `${pomDir}/pom.xml`,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${dest}`,
      "-DincludeScope=runtime",
      `-DexcludeTransitive=${opts.transitive === false}`,
    ]);
  } finally {
    await Deno.remove(pomDir, { recursive: true }).catch(() => {});
  }
}
