import assert from "node:assert/strict";
import { SPARK_DRIVERS_DIR } from "../lib/core/paths.ts";
import { findPython } from "../lib/stack/preconditions.ts";

// The Spark drivers are Python (PySpark demands it); their pure parts are tested in Python,
// beside them (scripts/spark/*_test.py), with the interpreter their venv is made from.
Deno.test("the Spark drivers' Python unit tests pass", async () => {
  const python = await findPython();
  assert.ok(python.path, `No Python 3.11 or 3.12 to run them: tried ${python.tried.join(", ")}`);
  const { code, stdout, stderr } = await new Deno.Command(python.path, {
    args: ["-m", "unittest", "discover", "-s", SPARK_DRIVERS_DIR, "-p", "*_test.py"],
    cwd: SPARK_DRIVERS_DIR,
    env: { PYTHONDONTWRITEBYTECODE: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
  assert.equal(code, 0, `python -m unittest in ${SPARK_DRIVERS_DIR} failed:\n${text}`);
  assert.match(text, /Ran [1-9]\d* tests?/);
});
