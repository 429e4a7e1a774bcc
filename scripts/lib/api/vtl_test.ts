import assert from "node:assert/strict";
import {
  base64Decode,
  base64Encode,
  escapeJavaScript,
  renderTemplate,
  selectPath,
  TemplateError,
  urlDecode,
  urlEncode,
} from "./vtl.ts";
import { findOperation, loadApiDocument, requestTemplate } from "./document.ts";

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

// API Gateway's mapping template reference, its $input examples.

Deno.test("$input.json('$') is the whole body as JSON text; $input.json of a field its JSON", () => {
  const body = '{"name" : "foo", "n": [1, 2], "o": {"a": "x"}}';
  const r = renderTemplate(
    `$input.json('$')|$input.json('$.name')|$input.json('$.n')|$input.json('$.o.a')|[$input.json('$.none')]`,
    { body },
  );
  assert.equal(r.output, '{"name":"foo","n":[1,2],"o":{"a":"x"}}|"foo"|[1,2]|"x"|[]');
});

Deno.test("$input.path('$.records') is the object itself, iterated by #foreach with $foreach.hasNext", () => {
  // The Kinesis proxy tutorial's PutRecords body: records / data / partition-key.
  const body = JSON.stringify({
    records: [{ data: "some data", "partition-key": "k1" }, {
      data: "more",
      "partition-key": "k2",
    }],
  });
  const template = `{"Records": [
#foreach($elem in $input.path('$.records'))
{"Data": "$util.base64Encode($elem.data)", "PartitionKey": "$elem.partition-key"}#if($foreach.hasNext),#end
#end
]}`;
  const out = JSON.parse(renderTemplate(template, { body }).output);
  assert.deepEqual(out, {
    Records: [
      { Data: b64("some data"), PartitionKey: "k1" },
      { Data: b64("more"), PartitionKey: "k2" },
    ],
  });
});

Deno.test("$input.path gives values Java prints: a map as {k=v}, a list as [a, b], a number bare", () => {
  const body = '{"o": {"a": 1, "b": ["x", "y"]}, "n": 3, "s": "t", "z": null}';
  const r = renderTemplate(
    `$input.path('$.o')|$input.path('$.o.b')|$input.path('$.n')|$input.path('$.s')|[$input.path('$.z')]|[$input.path('$.none')]|$input.path('$.o.b').size()`,
    { body },
  );
  assert.equal(r.output, "{a=1, b=[x, y]}|[x, y]|3|t|[]|[]|2");
});

Deno.test("$input.params('x') looks in the path, then the query string, then the headers", () => {
  const params = {
    path: { "stream-name": "from-path" },
    querystring: { q: "from-query", "stream-name": "shadowed" },
    header: { "X-Amz-Thing": "from-header" },
  };
  const r = renderTemplate(
    `$input.params('stream-name')|$input.params('q')|$input.params('x-amz-thing')|[$input.params('none')]|$input.params().path.get('stream-name')|#foreach($t in $input.params().keySet())$t#if($foreach.hasNext),#end#end`,
    { body: "", params },
  );
  assert.equal(r.output, "from-path|from-query|from-header|[]|from-path|path,querystring,header");
});

Deno.test("$input.body is the raw payload; $util.base64Encode of it, and back", () => {
  const body = '{"title": "café ☕"}';
  const r = renderTemplate(`$util.base64Encode($input.body)`, { body });
  assert.equal(r.output, b64(body));
  assert.equal(renderTemplate(`$util.base64Decode("${r.output}")`, { body }).output, body);
});

Deno.test("$util.escapeJavaScript escapes as Java's commons-lang does; the doc's replaceAll undoes \\'", () => {
  assert.equal(
    escapeJavaScript(`He said "it's" a/b\\ \n\t é`),
    `He said \\"it\\'s\\" a\\/b\\\\ \\n\\t \\u00E9`,
  );
  assert.equal(escapeJavaScript("😀"), "\\uD83D\\uDE00");
  const r = renderTemplate(
    `{"v": "$util.escapeJavaScript($input.path('$.v')).replaceAll("\\\\'", "'")"}`,
    {
      body: JSON.stringify({ v: `it's "quoted"` }),
    },
  );
  assert.deepEqual(JSON.parse(r.output), { v: `it's "quoted"` });
});

Deno.test("$util.parseJson, urlEncode and urlDecode follow Java", () => {
  const r = renderTemplate(
    `#set($o = $util.parseJson($input.path('$.s')))$o.a|$util.urlEncode("a b&c=d/é*~")|$util.urlDecode("a+b%26c")`,
    { body: JSON.stringify({ s: '{"a": "x"}' }) },
  );
  assert.equal(r.output, "x|a+b%26c%3Dd%2F%C3%A9*%7E|a b&c");
  assert.equal(urlDecode(urlEncode("x y+z")), "x y+z");
  assert.equal(base64Decode(base64Encode("ü")), "ü");
});

Deno.test("$context and $stageVariables are the request's; a template may override the status", () => {
  const r = renderTemplate(
    `$context.stage $context.httpMethod $stageVariables.shardCount#set($context.responseOverride.status = 404)#set($context.responseOverride.header.X-Why = "gone")`,
    {
      body: "",
      context: { stage: "test", httpMethod: "PUT" },
      stageVariables: { shardCount: "1" },
    },
  );
  assert.equal(r.output, "test PUT 1");
  assert.equal(r.status, 404);
  assert.deepEqual(r.headers, { "X-Why": "gone" });
});

Deno.test("Java String methods templates call: contains, length(), matches, equals, isEmpty", () => {
  const r = renderTemplate(
    `#set($s = "abc")$s.contains("b") $s.length() $s.matches("a.c") $s.matches("b") $s.equals("abc") $s.isEmpty() $s.replaceAll("[ac]", "-")`,
    { body: "" },
  );
  assert.equal(r.output, "true 3 true false true false -b-");
});

Deno.test("a bad JSONPath or a body that is not JSON is a TemplateError saying so", () => {
  assert.throws(() => renderTemplate(`$input.json('Data')`, { body: "{}" }), TemplateError);
  assert.throws(
    () => renderTemplate(`$input.json('$.a')`, { body: "{" }),
    /The body is not JSON, which \$input\.json and \$input\.path need/,
  );
  assert.throws(() => selectPath({}, "$.a..b"), /not understood at character 4/);
  assert.deepEqual(selectPath({ a: [{ b: 1 }, { b: 2 }] }, "$.a[*].b"), [1, 2]);
  assert.equal(selectPath({ "a b": 1 }, "$['a b']"), 1);
});

// The project's own templates, from api/openapi.yaml.

const doc = await loadApiDocument();
function project(method: string, path: string, body: string, stream = "streaming-x-pin") {
  const op = findOperation(doc, method, path)!;
  return JSON.parse(
    renderTemplate(requestTemplate(op, "application/json")!, {
      body,
      params: { path: { "stream-name": stream } },
      stageVariables: { shardCount: "1" },
    }).output,
  );
}

Deno.test("PutRecords' template gives Kinesis's PutRecords action: Data is each row's JSON text in base64", () => {
  const rows = [{ index: 7528, title: 'a "quoted" title', tag_list: "a,b" }, {
    ind: 7528,
    latitude: -89.9787,
  }];
  const body = JSON.stringify({
    StreamName: "ignored",
    Records: [
      { Data: rows[0], PartitionKey: "7528" },
      { Data: rows[1], PartitionKey: "7528", Extra: "ignored" },
    ],
  });
  assert.deepEqual(project("PUT", "/streams/{stream-name}/records", body), {
    StreamName: "streaming-x-pin",
    Records: [
      { Data: b64(JSON.stringify(rows[0])), PartitionKey: "7528" },
      { Data: b64(JSON.stringify(rows[1])), PartitionKey: "7528" },
    ],
  });
});

Deno.test("PutRecord's template gives Kinesis's PutRecord action with the path's stream", () => {
  const body = JSON.stringify({
    StreamName: "other",
    Data: { ind: 1, country: "Côte d'Ivoire" },
    PartitionKey: 'k"1',
  });
  assert.deepEqual(project("PUT", "/streams/{stream-name}/record", body), {
    StreamName: "streaming-x-pin",
    Data: b64('{"ind":1,"country":"Côte d\'Ivoire"}'),
    PartitionKey: 'k"1',
  });
});

Deno.test("CreateStream takes the body's ShardCount, else the stage's; Describe and Delete the path's", () => {
  assert.deepEqual(project("POST", "/streams/{stream-name}", '{"ShardCount": 3}'), {
    ShardCount: 3,
    StreamName: "streaming-x-pin",
  });
  assert.deepEqual(project("POST", "/streams/{stream-name}", ""), {
    ShardCount: 1,
    StreamName: "streaming-x-pin",
  });
  assert.deepEqual(project("GET", "/streams/{stream-name}", ""), { StreamName: "streaming-x-pin" });
  assert.deepEqual(project("DELETE", "/streams/{stream-name}", ""), {
    StreamName: "streaming-x-pin",
  });
  assert.deepEqual(project("GET", "/streams", ""), {});
});

Deno.test("the error template maps Kinesis's exception to the status SPEC §3 gives", () => {
  const op = findOperation(doc, "PUT", "/streams/{stream-name}/record")!;
  const template = op.integration.responses!["4\\d{2}"].responseTemplates!["application/json"];
  const cases: [string, number | undefined][] = [
    ["ResourceNotFoundException", 404],
    ["ProvisionedThroughputExceededException", 429],
    ["LimitExceededException", 429],
    ["ResourceInUseException", 409],
    ["ValidationException", undefined],
  ];
  for (const [type, status] of cases) {
    const r = renderTemplate(template, {
      body: JSON.stringify({ __type: type, message: `m "${type}"` }),
    });
    assert.equal(r.status, status, type);
    assert.deepEqual(JSON.parse(r.output), { message: `m "${type}"`, type });
  }
});
