/**
 * Credentials of the local stack. Nothing is committed: when the environment (or `.env`) does
 * not set them, the first run generates random ones into the git-ignored state directory.
 *
 * @module
 */

/** The local stack's credentials. */
export interface LocalSecrets {
  mysqlPassword: string;
  s3AccessKey: string;
  s3SecretKey: string;
}

function random(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Reads `<stateDir>/secrets.json`, creating it (mode 0600) with random values if missing. */
export async function localSecrets(stateDir: string): Promise<LocalSecrets> {
  const file = `${stateDir}/secrets.json`;
  try {
    return JSON.parse(await Deno.readTextFile(file)) as LocalSecrets;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new Error(`Cannot read ${file}: ${(e as Error).message}; delete it to regenerate`);
    }
  }
  const secrets: LocalSecrets = {
    mysqlPassword: random(12),
    s3AccessKey: `pipeline${random(4)}`,
    s3SecretKey: random(20),
  };
  await Deno.mkdir(stateDir, { recursive: true });
  await Deno.writeTextFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, createNew: true })
    .catch((e) => {
      // Another process created it first: use theirs.
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    });
  return JSON.parse(await Deno.readTextFile(file)) as LocalSecrets;
}
