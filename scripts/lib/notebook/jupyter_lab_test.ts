import assert from "node:assert/strict";
import { jupyterPort, labArgs } from "./jupyter_lab.ts";

Deno.test("the JupyterLab port comes from --port, then PIPELINE_JUPYTER_PORT, then 8888", () => {
  assert.equal(jupyterPort("9000", "9100"), 9000);
  assert.equal(jupyterPort(undefined, "9100"), 9100);
  // "" stands for unset: an undefined argument would read the real environment.
  assert.equal(jupyterPort(undefined, ""), 8888);
});

Deno.test("a port that is no port number is refused, naming where it came from", () => {
  assert.throws(() => jupyterPort("eighty", undefined), /Invalid JupyterLab port "eighty": give/);
  assert.throws(() => jupyterPort("70000", undefined), /Invalid JupyterLab port "70000"/);
  assert.throws(() => jupyterPort(undefined, "8.5"), /"8\.5" \(PIPELINE_JUPYTER_PORT\)/);
});

Deno.test("options after -- go to jupyter lab; a bare word is refused", () => {
  assert.deepEqual(labArgs(8890, "t", ["--LabApp.user_settings_dir=/x"]), [
    "lab",
    "--ServerApp.port=8890",
    "--IdentityProvider.token=t",
    "--LabApp.user_settings_dir=/x",
  ]);
  assert.throws(() => labArgs(8890, "t", ["notebooks"]), /Unexpected argument "notebooks"/);
});
