import assert from "node:assert/strict";
import { loadApiDocument } from "../api/document.ts";
import { awsIntegrations, deployableApiBody } from "./api_body.ts";

const FIELDS = { region: "eu-west-2", roleArn: "arn:aws:iam::123456789012:role/api-kinesis" };

Deno.test("every aws integration of the document gets the role and the region, nothing else", async () => {
  const doc = (await loadApiDocument()).raw;
  const before = JSON.stringify(doc);
  const body = deployableApiBody(doc, FIELDS);
  assert.equal(JSON.stringify(doc), before, "the document itself is left as it was");
  const integrations = awsIntegrations(body);
  assert.ok(integrations.length >= 6, `the document's Kinesis routes: ${integrations.length}`);
  // Undo exactly the two fields and the document comes back.
  const undone = structuredClone(body);
  for (const [i, { integration }] of awsIntegrations(undone).entries()) {
    const original = awsIntegrations(doc)[i].integration;
    assert.equal(integration.credentials, FIELDS.roleArn);
    assert.match(String(integration.uri), /^arn:aws:apigateway:eu-west-2:kinesis:action\/\w+$/);
    delete integration.credentials;
    integration.uri = original.uri;
  }
  assert.deepEqual(undone, doc);
});

Deno.test("the HTTP proxy route keeps its uri and gets no role", async () => {
  const doc = (await loadApiDocument()).raw as {
    paths: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  };
  const body = deployableApiBody(doc, FIELDS) as typeof doc;
  const proxy = body.paths["/topics/{topic}"].post["x-amazon-apigateway-integration"];
  assert.equal(proxy.type, "http_proxy");
  assert.equal(proxy.credentials, undefined);
  assert.equal(proxy.uri, doc.paths["/topics/{topic}"].post["x-amazon-apigateway-integration"].uri);
});

Deno.test("an aws integration whose uri is not an API Gateway ARN is named", () => {
  const doc = {
    paths: {
      "/x": { put: { "x-amazon-apigateway-integration": { type: "aws", uri: "http://a" } } },
    },
  };
  assert.throws(() => deployableApiBody(doc, FIELDS), /PUT \/x is an aws integration whose uri/);
});
