import assert from "node:assert/strict";
import {
  API_DOCUMENT,
  findOperation,
  loadApiDocument,
  parseApiDocument,
  requestTemplate,
} from "./document.ts";
import { KINDS, names } from "../core/names.ts";

const doc = await loadApiDocument();

Deno.test("the document serves every route of SPEC §3 with API Gateway's integration for it", () => {
  const routes = doc.operations.map((o) =>
    `${o.method} ${o.path} ${o.integration.type} ${o.integration.uri}`
  ).sort();
  const kinesis = (action: string) => `aws arn:aws:apigateway:us-east-1:kinesis:action/${action}`;
  assert.deepEqual(
    routes,
    [
      `DELETE /streams/{stream-name} ${kinesis("DeleteStream")}`,
      `GET /streams ${kinesis("ListStreams")}`,
      `GET /streams/{stream-name} ${kinesis("DescribeStream")}`,
      "POST /topics/{topic} http_proxy http://${stageVariables.restProxyHost}/topics/{topic}",
      `POST /streams/{stream-name} ${kinesis("CreateStream")}`,
      `PUT /streams/{stream-name}/record ${kinesis("PutRecord")}`,
      `PUT /streams/{stream-name}/records ${kinesis("PutRecords")}`,
    ].sort(),
  );
  assert.equal(doc.stage, "test");
});

Deno.test("every Kinesis route has an application/json template and maps Kinesis's errors", () => {
  for (const op of doc.operations.filter((o) => o.integration.type === "aws")) {
    const at = `${op.method} ${op.path}`;
    assert.ok(requestTemplate(op, "application/json"), `${at} has no application/json template`);
    assert.equal(op.integration.passthroughBehavior, "never", at);
    const responses = op.integration.responses ?? {};
    assert.equal(responses.default?.statusCode, "200", at);
    assert.ok(responses["4\\d{2}"]?.responseTemplates?.["application/json"], at);
  }
});

Deno.test("the topic route passes the topic through to the REST proxy's path", () => {
  const op = findOperation(doc, "POST", "/topics/{topic}")!;
  assert.deepEqual(op.integration.requestParameters, {
    "integration.request.path.topic": "method.request.path.topic",
  });
  // No validator: the REST proxy checks the body, with Confluent's error contract.
  assert.deepEqual(op.validates, { body: false, params: false });
});

Deno.test("the body models are self-contained JSON schemas with Kinesis's limits", () => {
  const records = findOperation(doc, "PUT", "/streams/{stream-name}/records")!;
  const model = records.models["application/json"] as {
    required: string[];
    properties: { Records: { minItems: number; maxItems: number; items: unknown } };
  };
  assert.deepEqual(model.required, ["Records"]);
  assert.equal(model.properties.Records.minItems, 1);
  assert.equal(model.properties.Records.maxItems, 500);
  assert.deepEqual(model.properties.Records.items, {
    type: "object",
    required: ["Data", "PartitionKey"],
    properties: {
      Data: {
        title: "RecordData",
        description:
          (doc.raw as { components: { schemas: { RecordData: { description: string } } } })
            .components.schemas.RecordData.description,
        type: "object",
        additionalProperties: { type: ["string", "number", "boolean", "null"] },
      },
      PartitionKey: { title: "PartitionKey", type: "string", minLength: 1, maxLength: 256 },
    },
  });
  assert.ok(!JSON.stringify(doc.operations.map((o) => o.models)).includes("$ref"));
});

Deno.test("no topic or stream name is written in the document: the paths take them", async () => {
  const text = await Deno.readTextFile(API_DOCUMENT);
  const n = names("0a1b2c3d4e5f");
  for (const k of KINDS) {
    assert.ok(!text.includes(n.topics[k]), n.topics[k]);
    assert.ok(!text.includes(n.streams[k]), n.streams[k]);
  }
  assert.ok(!text.includes("0a1b2c3d4e5f"));
});

Deno.test("a request without Content-Type gets the application/json template, as on AWS", () => {
  const op = findOperation(doc, "PUT", "/streams/{stream-name}/record")!;
  const json = requestTemplate(op, "application/json");
  assert.equal(requestTemplate(op, null), json);
  assert.equal(requestTemplate(op, "application/json; charset=utf-8"), json);
  assert.equal(requestTemplate(op, "text/plain"), undefined);
});

Deno.test("a document without a stage or without integrations says what to fix", () => {
  assert.throws(
    () => parseApiDocument("openapi: 3.0.1\npaths: {}\n", "x.yaml"),
    /x\.yaml names no stage: set servers\[0\]\.variables\.basePath\.default/,
  );
  assert.throws(
    () =>
      parseApiDocument(
        "openapi: 3.0.1\nservers: [{url: u, variables: {basePath: {default: /dev}}}]\n" +
          "paths: {/a: {get: {responses: {}}}}\n",
        "y.yaml",
      ),
    /y\.yaml: GET \/a has no x-amazon-apigateway-integration/,
  );
  assert.throws(() => parseApiDocument("swagger: '2.0'\n", "z.yaml"), /not an OpenAPI 3/);
  const dev = parseApiDocument(
    "openapi: 3.0.1\nservers: [{url: u, variables: {basePath: {default: /dev}}}]\npaths: {}\n",
    "d.yaml",
  );
  assert.equal(dev.stage, "dev");
});
