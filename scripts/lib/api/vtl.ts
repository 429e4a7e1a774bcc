/**
 * API Gateway's mapping templates: Velocity (VTL, rendered by npm `velocityjs`) with the variables
 * API Gateway defines in its mapping template reference: `$input` (`body`, `json`, `path`,
 * `params`), `$util` (`base64Encode`, `base64Decode`, `escapeJavaScript`, `parseJson`,
 * `urlEncode`, `urlDecode`), `$context` and `$stageVariables`.
 *
 * Where velocityjs and API Gateway's Java Velocity differ, this follows API Gateway: a missing
 * value renders as the empty string (velocityjs would print `null`), maps and lists render as
 * Java's `toString` (`{a=1, b=[1, 2]}`), and strings have the Java methods templates call
 * (`contains`, `length()`, `replaceAll` with a regex, `matches`, `equals`, `isEmpty`).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Compile, parse } from "velocityjs";

/** The request a template sees. */
export interface TemplateInput {
  /** The raw payload, as `$input.body`. */
  body: string;
  /** Path, query string and header parameters, as `$input.params()`. */
  params?: Partial<TemplateParams>;
  /** `$context`; a template may set `$context.responseOverride.status` and `.header`. */
  context?: Record<string, unknown>;
  /** `$stageVariables`. */
  stageVariables?: Record<string, string>;
}

/** The parameters of `$input.params()`, by where they came from. */
export interface TemplateParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

/** What a template rendered, and what it asked of the response. */
export interface Rendered {
  output: string;
  /** `$context.responseOverride.status`, when the template set it. */
  status?: number;
  /** `$context.responseOverride.header.<name>`, when the template set any. */
  headers: Record<string, string>;
}

/** A template that cannot be rendered: a bad JSONPath, a body that is not JSON. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

type Step = { key: string } | { index: number } | { wildcard: true };

/**
 * Parses the JSONPath subset API Gateway's templates use: `$`, `.name`, `['name']`, `[n]`, `[*]`
 * and `.*`.
 */
function parsePath(path: string): Step[] {
  let steps = PATHS.get(path);
  if (!steps) {
    steps = parsePathOnce(path);
    if (PATHS.size > 4096) PATHS.clear();
    PATHS.set(path, steps);
  }
  return steps;
}

// A template asks for the same few paths on every request.
const PATHS = new Map<string, Step[]>();

function parsePathOnce(path: string): Step[] {
  if (!path.startsWith("$")) {
    throw new TemplateError(`JSONPath ${JSON.stringify(path)} must start with $ (as in '$.Data')`);
  }
  const steps: Step[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\.\*|\[\*\]|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const at = re.lastIndex;
    const m = re.exec(path);
    if (!m) {
      throw new TemplateError(
        `JSONPath ${JSON.stringify(path)} is not understood at character ${at + 1}: use ` +
          "$.name, $['name'], $[0] or $[*]",
      );
    }
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ key: m[3] });
    else if (m[4] !== undefined) steps.push({ key: m[4] });
    else steps.push({ wildcard: true });
  }
  return steps;
}

/** The value at a JSONPath, or undefined when there is none; a wildcard gives a list. */
export function selectPath(root: unknown, path: string): unknown {
  let values: unknown[] = [root];
  let many = false;
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const v of values) {
      if (v === null || typeof v !== "object") continue;
      if ("wildcard" in step) {
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else if ("index" in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if (!Array.isArray(v) && Object.hasOwn(v, step.key)) {
        next.push((v as Record<string, unknown>)[step.key]);
      }
    }
    if ("wildcard" in step) many = true;
    values = next;
  }
  return many ? values : values[0];
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Base64 of the string's UTF-8 bytes. */
export function base64Encode(value: unknown): string {
  return Buffer.from(text(value), "utf8").toString("base64");
}

/** The UTF-8 text of base64. */
export function base64Decode(value: unknown): string {
  let binary: string;
  try {
    binary = atob(text(value));
  } catch {
    throw new TemplateError(`$util.base64Decode: ${JSON.stringify(value)} is not base64`);
  }
  return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * JavaScript string escaping as API Gateway's Java does it (commons-lang `escapeJavaScript`):
 * quotes, backslash and `/` get a backslash, control characters their short escapes or `\u00XX`,
 * and everything outside ASCII `\uXXXX`. A single quote becomes `\'`, which JSON does not allow:
 * templates that build JSON from such text need `.replaceAll("\\'", "'")`, as on AWS.
 */
export function escapeJavaScript(value: unknown): string {
  let out = "";
  for (const ch of text(value)) {
    const code = ch.codePointAt(0)!;
    const short: Record<string, string> = {
      "'": "\\'",
      '"': '\\"',
      "\\": "\\\\",
      "/": "\\/",
      "\b": "\\b",
      "\n": "\\n",
      "\t": "\\t",
      "\f": "\\f",
      "\r": "\\r",
    };
    if (short[ch]) out += short[ch];
    else if (code < 0x20 || code > 0x7e) {
      // Java strings are UTF-16: a character beyond the BMP is two \u escapes.
      for (let i = 0; i < ch.length; i++) {
        out += "\\u" + ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0");
      }
    } else out += ch;
  }
  return out;
}

/** Java's `URLEncoder.encode(s, "UTF-8")`: form encoding, a space is `+`. */
export function urlEncode(value: unknown): string {
  return encodeURIComponent(text(value))
    .replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/** Java's `URLDecoder.decode(s, "UTF-8")`: `+` is a space. */
export function urlDecode(value: unknown): string {
  try {
    return decodeURIComponent(text(value).replace(/\+/g, " "));
  } catch {
    throw new TemplateError(`$util.urlDecode: ${JSON.stringify(value)} is not URL-encoded`);
  }
}

/** A template's argument as text; a missing value is the empty string, as on AWS. */
function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : javaString(value);
}

/** How Java's `toString` prints what `$input.path` gives: `{a=1, b=[x, y]}`. */
function javaString(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${javaString(v)}`).join(", ")}}`;
  }
  return String(value);
}

/**
 * Missing values render as the empty string: velocityjs prints JavaScript's null as `null`, API
 * Gateway prints nothing.
 */
function present(value: unknown): unknown {
  return value === undefined || value === null ? "" : value;
}

type Handler = {
  uid: string;
  match: (p: { property: string; context: unknown; params: unknown[] }) => boolean;
  resolve: (p: { property: string; context: unknown; params: unknown[] }) => unknown;
};

/** Java's String methods that JavaScript lacks or means differently. */
const STRING_METHODS: Record<string, (s: string, args: unknown[]) => unknown> = {
  contains: (s, [x]) => s.includes(text(x)),
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  equals: (s, [x]) => s === x,
  equalsIgnoreCase: (s, [x]) => typeof x === "string" && s.toLowerCase() === x.toLowerCase(),
  matches: (s, [re]) => new RegExp(`^(?:${text(re)})$`).test(s),
  replaceAll: (s, [re, by]) => s.replace(new RegExp(text(re), "g"), javaReplacement(text(by))),
};

/** Java's replacement syntax (`$1`, `\$`) in JavaScript's (`$1`, `$$`). */
function javaReplacement(by: string): string {
  return by.replace(
    /\\(.)|\$(\d)|\$/g,
    (_, escaped, group) =>
      escaped !== undefined
        ? (escaped === "$" ? "$$" : escaped)
        : group !== undefined
        ? `$${group}`
        : "$$",
  );
}

const HANDLERS: Handler[] = Object.entries(STRING_METHODS).map(([name, f]) => ({
  uid: `java String.${name}`,
  match: ({ property, context }) => property === name && typeof context === "string",
  resolve: ({ context, params }) => f(context as string, params),
}));

const ASTS = new Map<string, ReturnType<typeof parse>>();

/**
 * A template's syntax tree, parsed once: a gateway renders the same few templates for every
 * request. A fresh Compile per render, since one keeps state (`#stop`) between renders.
 */
function syntaxTree(template: string): ReturnType<typeof parse> {
  let asts = ASTS.get(template);
  if (!asts) {
    try {
      asts = parse(template);
    } catch (e) {
      throw new TemplateError(`The mapping template is not valid VTL: ${(e as Error).message}`);
    }
    if (ASTS.size > 256) ASTS.clear();
    ASTS.set(template, asts);
  }
  return asts;
}

/**
 * velocityjs parses a double-quoted string with references again each time it is evaluated:
 * `$input.json("$.Records[$foreach.index].Data")` in a loop of 500 records cost 40 ms a
 * request. Here such a string is parsed once, like a template.
 */
class Template extends Compile {
  protected override evalStr(str: string): string {
    const self = this as unknown as {
      renderAstList(asts: unknown, contextId: string): string;
      contextId: string;
    };
    return self.renderAstList(syntaxTree(str), self.contextId);
  }
}

/**
 * Renders one mapping template for a request.
 *
 * @example
 * ```ts
 * const r = renderTemplate(`{"Data": "$util.base64Encode($input.json('$.Data'))"}`, {
 *   body: '{"Data": {"ind": 1}}',
 * });
 * r.output; // '{"Data": "eyJpbmQiOjF9"}'
 * ```
 */
export function renderTemplate(template: string, request: TemplateInput): Rendered {
  let parsed: unknown;
  let parsedOnce = false;
  const body = () => {
    if (!parsedOnce) {
      parsedOnce = true;
      if (request.body.trim() === "") parsed = {};
      else {
        try {
          parsed = JSON.parse(request.body);
        } catch (e) {
          throw new TemplateError(
            `The body is not JSON, which $input.json and $input.path need: ${(e as Error).message}`,
          );
        }
      }
    }
    return parsed;
  };
  const params: TemplateParams = {
    path: request.params?.path ?? {},
    querystring: request.params?.querystring ?? {},
    header: request.params?.header ?? {},
  };
  const headerOf = (name: string) => {
    const key = Object.keys(params.header).find((h) => h.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : params.header[key];
  };
  const input = {
    body: request.body,
    json: (path: string) => {
      const v = selectPath(body(), path);
      return v === undefined ? "" : JSON.stringify(v);
    },
    path: (path: string) => present(selectPath(body(), path)),
    params: (name?: string) =>
      name === undefined
        ? params
        : present(params.path[name] ?? params.querystring[name] ?? headerOf(name)),
  };
  const util = {
    base64Encode,
    base64Decode,
    escapeJavaScript,
    parseJson: (s: unknown) => {
      try {
        return JSON.parse(text(s));
      } catch (e) {
        throw new TemplateError(`$util.parseJson: not JSON: ${(e as Error).message}`);
      }
    },
    urlEncode,
    urlDecode,
  };
  const override = { header: {} as Record<string, unknown> } as Record<string, unknown>;
  const context = { ...request.context, responseOverride: override };
  const output = new Template(syntaxTree(template), { customMethodHandlers: HANDLERS }).render({
    input,
    util,
    context,
    stageVariables: { ...request.stageVariables },
  });
  const status = override.status === undefined ? undefined : Number(override.status);
  const headers = Object.fromEntries(
    Object.entries(override.header as Record<string, unknown>).map(([k, v]) => [k, text(v)]),
  );
  return { output, status, headers };
}
