/**
 * Python venvs installed from a committed lock file (`pip install --no-deps -r lock`), so the
 * same packages come back on every machine.
 *
 * @module
 */
import type { StackContext } from "../component.ts";
import { step } from "../install.ts";
import { findPython } from "../preconditions.ts";

/** A short hash of a file's content, for install stamps that follow the lock. */
export async function fileHash(path: string): Promise<string> {
  const data = await Deno.readFile(path);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(hash.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Checks that a lock pins `pkg==version`, so versions.yaml and the lock cannot drift apart. */
export async function checkLockPins(lock: string, pins: Record<string, string>): Promise<void> {
  const text = await Deno.readTextFile(lock);
  for (const [pkg, version] of Object.entries(pins)) {
    if (!new RegExp(`^${pkg}==${version.replaceAll(".", "\\.")}$`, "m").test(text)) {
      throw new Error(`Lock ${lock} does not pin ${pkg}==${version} as stack/versions.yaml says`);
    }
  }
}

/** Creates `venv` with `python` (default: {@linkcode findPython}'s) and installs the lock into it. */
export async function installVenv(
  ctx: StackContext,
  component: string,
  venv: string,
  lock: string,
  python?: string,
) {
  const log = { component, logFile: ctx.log(`install-${component}.log`) };
  if (!python) {
    const found = await findPython();
    if (!found.path) {
      throw new Error(`no Python 3.11 or 3.12 with venv found (${found.tried.join("; ")})`);
    }
    python = found.path;
  }
  await step(log, `create Python venv (${python})`, [python, "-m", "venv", venv]);
  await step(log, "upgrade pip", [`${venv}/bin/pip`, "install", "-q", "--upgrade", "pip==24.3.1"]);
  await step(log, `pip install -r ${lock.split("/").pop()} (PyPI)`, [
    `${venv}/bin/pip`,
    "install",
    "-q",
    "--no-deps",
    "--disable-pip-version-check",
    "-r",
    lock,
  ]);
  await step(log, "pip check", [`${venv}/bin/pip`, "check"]);
}
