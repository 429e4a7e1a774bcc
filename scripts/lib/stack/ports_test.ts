import assert from "node:assert/strict";
import { parseSsLine, portFree, portHolder } from "./ports.ts";

Deno.test("an ss line names the process and pid", () => {
  const line = 'LISTEN 0 80 127.0.0.1:3306 0.0.0.0:* users:(("mariadbd",pid=14578,fd=18))';
  assert.deepEqual(parseSsLine(line), { command: "mariadbd", pid: 14578 });
  assert.equal(parseSsLine("LISTEN 0 80 127.0.0.1:3306 0.0.0.0:*"), undefined);
});

Deno.test("a port we listen on is taken and names this process", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  try {
    assert.equal(portFree("127.0.0.1", port), false);
    const holder = await portHolder(port);
    assert.equal(holder?.pid, Deno.pid);
  } finally {
    l.close();
  }
  assert.equal(portFree("127.0.0.1", port), true);
});
