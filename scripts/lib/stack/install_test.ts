import assert from "node:assert/strict";
import { InstallError, installOnce, isStamped, step } from "./install.ts";

Deno.test("a failed install step names the component, the step, its output and the retry", async () => {
  const dir = await Deno.makeTempDir();
  const ctx = { component: "minio", logFile: `${dir}/install.log` };
  try {
    await assert.rejects(
      () => step(ctx, "go install (proxy)", ["sh", "-c", "echo 'proxy said 403' >&2; exit 3"]),
      (e: Error) => {
        assert.ok(e instanceof InstallError);
        assert.match(e.message, /^Install of minio failed at step "go install \(proxy\)"/);
        assert.match(e.message, /exited with 3/);
        assert.match(e.message, /proxy said 403/);
        assert.match(e.message, /Retry with: deno task stack:install --only minio/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an install is stamped only when it finishes, and a half-written one is redone", async () => {
  const dir = `${await Deno.makeTempDir()}/component`;
  await assert.rejects(() =>
    installOnce(dir, "v1", async () => {
      await Deno.writeTextFile(`${dir}/half`, "x");
      throw new Error("network dropped");
    })
  );
  assert.equal(await isStamped(dir, "v1"), false);
  let runs = 0;
  assert.equal(await installOnce(dir, "v1", () => Promise.resolve(void runs++)), true);
  assert.equal(await isStamped(dir, "v1"), true);
  assert.equal(
    await Deno.stat(`${dir}/half`).then(() => true, () => false),
    false,
    "leftovers cleared",
  );
  assert.equal(await installOnce(dir, "v1", () => Promise.resolve(void runs++)), false, "cached");
  assert.equal(
    await installOnce(dir, "v2", () => Promise.resolve(void runs++)),
    true,
    "new version",
  );
  assert.equal(runs, 2);
});
