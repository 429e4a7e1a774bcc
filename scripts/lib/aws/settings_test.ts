import assert from "node:assert/strict";
import { parse } from "yaml";
import { loadConfig } from "../core/config.ts";
import { loadDeploySettings, parseDeploySettings } from "./settings.ts";

const FILE = "/repo/pipeline.yaml";
const doc = (deploy: unknown) => ({ profiles: { aws: { deploy } } });

Deno.test("the repository's deploy settings: provisioned MSK, Confluent's plugin, a new VPC", async () => {
  const s = await loadDeploySettings(await loadConfig({ profile: "aws", env: {} }));
  assert.equal(s.vpcId, undefined);
  assert.equal(s.natGateways, 1);
  assert.equal(s.msk.mode, "provisioned");
  assert.equal(s.msk.brokers, 2);
  assert.equal(s.connectPlugin.source, "confluent");
  assert.match(s.mwaa.airflowVersion, /^2\.10\./);
});

Deno.test("every setting has a default, and each can be set", () => {
  const s = parseDeploySettings(
    parse(`
profiles:
  aws:
    deploy:
      vpc_id: vpc-0abc123
      nat_gateways: 0
      msk: { mode: serverless }
      connect_plugin: { source: ours }
      rds: { instance_type: t4g.micro }
`),
    FILE,
  );
  assert.equal(s.vpcId, "vpc-0abc123");
  assert.equal(s.natGateways, 0);
  assert.equal(s.msk.mode, "serverless");
  assert.deepEqual(s.connectPlugin, { source: "ours" });
  assert.equal(s.rds.instanceType, "t4g.micro");
  assert.equal(parseDeploySettings({}, FILE).restProxy.instanceType, "t3.micro");
});

Deno.test("a bad setting names its key and the file", () => {
  const cases: [unknown, RegExp][] = [
    [
      { msk: { mode: "huge" } },
      /profiles\.aws\.deploy\.msk\.mode must be one of provisioned, serverless/,
    ],
    [{ vpc_id: "default" }, /profiles\.aws\.deploy\.vpc_id must be empty or vpc-/],
    [{ nat_gateways: -1 }, /profiles\.aws\.deploy\.nat_gateways must be an integer >= 0/],
    [
      { connect_plugin: { source: "aiven" } },
      /connect_plugin\.source must be one of confluent, ours/,
    ],
    [{ msk: "big" }, /profiles\.aws\.deploy\.msk must be a mapping/],
  ];
  for (const [deploy, message] of cases) {
    assert.throws(() => parseDeploySettings(doc(deploy), FILE), (e: Error) => {
      assert.match(e.message, /^Invalid config \/repo\/pipeline\.yaml: /);
      assert.match(e.message, message);
      return true;
    });
  }
});
