import assert from "node:assert/strict";
import { kernelHiccup } from "./execute.ts";

Deno.test("only a bare kernel failure counts as a hiccup worth one retry", () => {
  assert.equal(
    kernelHiccup(
      "nbclient.exceptions.CellExecutionError: An error occurred\nCellExecutionError: x\n------------------\nError: Execution failed\n",
    ),
    true,
  );
  assert.equal(kernelHiccup("ReferenceError: text is not defined\nError: Execution failed"), false);
  assert.equal(kernelHiccup("TypeError: Cannot convert undefined"), false);
  assert.equal(kernelHiccup("nothing useful"), false);
});
