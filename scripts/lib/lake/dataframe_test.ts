import assert from "node:assert/strict";
import { toDataFrame } from "./dataframe.ts";

Deno.test("toDataFrame aligns rows with different keys and keeps values as delivered", () => {
  const df = toDataFrame([{ ind: 1, country: "Albania" }, { ind: "2", latitude: -89.9787 }]);
  assert.deepEqual(df.columns, ["ind", "country", "latitude"]);
  assert.deepEqual(df.values, [[1, "Albania", null], ["2", null, -89.9787]]);
  assert.deepEqual(toDataFrame([{ a: 1, b: 2 }], ["b"]).values, [[2]]);
});
