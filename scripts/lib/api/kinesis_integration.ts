/**
 * The document's AWS integrations with Kinesis, as API Gateway runs them: the request template
 * renders the action's JSON input, the integration's role decides which streams it may write,
 * Kinesis answers, and the integration response maps the answer (Kinesis's JSON, or its error
 * `{"__type", "message"}` with its status) to the method response.
 *
 * @module
 */
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { Buffer } from "node:buffer";
import { kinesisAction, type Operation } from "./document.ts";
import { GatewayError } from "./gateway_error.ts";
import {
  type IntegrationAnswer,
  integrationRequestBody,
  type MappedRequest,
  methodResponse,
} from "./mapping.ts";
import { networkReason } from "../core/http.ts";

/** Content type of Kinesis's answers through the API. */
export const STREAM_JSON = "application/json";
/** Kinesis's limit on one record: data and partition key together. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Kinesis's limit on records per PutRecords request. */
export const MAX_PUT_RECORDS = 500;
/** Kinesis's limit on one PutRecords request: data and partition keys of all its records. */
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
/** Kinesis's limit on a partition key, in Unicode characters. */
export const MAX_PARTITION_KEY = 256;

/**
 * What the integration's IAM role may do: read any stream, write only the pipeline's. The AWS
 * app grants its API role the same (scripts/lib/aws), from the same names.
 */
export interface IntegrationRole {
  /** Role name, as Kinesis's AccessDeniedException names it. */
  name: string;
  /** Streams it may write (records, create, delete). */
  writableStreams: string[];
  region: string;
}

const WRITES = new Set(["CreateStream", "DeleteStream", "PutRecord", "PutRecords"]);

type Input = Record<string, unknown>;

/** The SDK command of each Kinesis action a document may integrate. */
const COMMANDS = {
  ListStreams: (i: Input) => new ListStreamsCommand(i),
  ListShards: (i: Input) => new ListShardsCommand(i),
  DescribeStream: (i: Input) => new DescribeStreamCommand(i as { StreamName: string }),
  DescribeStreamSummary: (i: Input) =>
    new DescribeStreamSummaryCommand(i as { StreamName: string }),
  CreateStream: (i: Input) =>
    new CreateStreamCommand(i as { StreamName: string; ShardCount: number }),
  DeleteStream: (i: Input) => new DeleteStreamCommand(i as { StreamName: string }),
  // On the wire Data is base64, as the template wrote it; the SDK wants the bytes.
  PutRecord: (i: Input) =>
    new PutRecordCommand({ ...i, Data: bytes(i.Data) } as {
      StreamName: string;
      Data: Uint8Array;
      PartitionKey: string;
    }),
  PutRecords: (i: Input) =>
    new PutRecordsCommand({
      ...i,
      Records: ((i.Records ?? []) as Input[]).map((r) => ({ ...r, Data: bytes(r.Data) })),
    } as { StreamName: string; Records: { Data: Uint8Array; PartitionKey: string }[] }),
} as Record<string, (input: Input) => Parameters<KinesisClient["send"]>[0]>;

/** Kinesis's own refusal of an input it cannot read. */
class KinesisRefusal extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

function bytes(base64: unknown): Uint8Array {
  if (typeof base64 !== "string") {
    throw new KinesisRefusal("SerializationException", "Data must be base64 text");
  }
  return new Uint8Array(Buffer.from(base64, "base64"));
}

const encoder = new TextEncoder();

/**
 * Kinesis's limit that the local Kinesis (kinesalite) does not check: 5 MiB per PutRecords.
 * Its words here are ours; Kinesis answers the same status and exception.
 */
function checkRequestSize(action: string, input: Input): void {
  if (action !== "PutRecords" || !Array.isArray(input.Records)) return;
  let total = 0;
  for (const r of input.Records as Input[]) {
    total += typeof r.Data === "string" ? Buffer.byteLength(r.Data, "base64") : 0;
    total += typeof r.PartitionKey === "string" ? encoder.encode(r.PartitionKey).length : 0;
  }
  if (total > MAX_PUT_RECORDS_BYTES) {
    throw new KinesisRefusal(
      "InvalidArgumentException",
      `Records of ${total} bytes in all exceed the limit of ${MAX_PUT_RECORDS_BYTES} bytes per ` +
        "PutRecords request",
    );
  }
}

function accessDenied(role: IntegrationRole, action: string, stream: unknown): KinesisRefusal {
  return new KinesisRefusal(
    "AccessDeniedException",
    `User: arn:aws:sts::000000000000:assumed-role/${role.name}/local is not authorized to ` +
      `perform: kinesis:${action} on resource: arn:aws:kinesis:${role.region}:000000000000:` +
      `stream/${String(stream)} because no identity-based policy allows the kinesis:${action} ` +
      `action (the API's role writes to ${role.writableStreams.join(", ")})`,
  );
}

/** Kinesis's JSON protocol writes timestamps as epoch seconds; so does this pass-through. */
function wire(output: object): string {
  const { $metadata: _, ...rest } = output as Record<string, unknown>;
  return JSON.stringify(rest, function (key, value) {
    const raw = (this as Record<string, unknown>)[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

function refused(status: number, type: string, message: string): IntegrationAnswer {
  return { status, body: JSON.stringify({ __type: type, message }) };
}

/** Options of {@linkcode kinesisIntegration}. */
export interface KinesisIntegrationOptions {
  kinesis: KinesisClient;
  role: IntegrationRole;
  /** Where the local Kinesis listens, for the message when it cannot be reached. */
  endpoint: string;
}

/** Runs one AWS integration with Kinesis for a request. */
export type KinesisIntegration = (op: Operation, m: MappedRequest) => Promise<Response>;

/**
 * The Kinesis integration of the gateway.
 *
 * @example
 * ```ts ignore
 * const run = kinesisIntegration({ kinesis, role, endpoint: "http://127.0.0.1:4568" });
 * const res = await run(op, { req, match, body, document, stageVariables });
 * ```
 */
export function kinesisIntegration(opts: KinesisIntegrationOptions): KinesisIntegration {
  const writable = new Set(opts.role.writableStreams);
  return async (op, m) => {
    const action = kinesisAction(op);
    const answer = await call(action, integrationRequestBody(op, m));
    return methodResponse(op, m, answer);
  };

  async function call(action: string, rendered: string): Promise<IntegrationAnswer> {
    let input: Input;
    try {
      input = JSON.parse(rendered);
    } catch (e) {
      return refused(400, "SerializationException", `Not JSON: ${(e as Error).message}`);
    }
    const command = COMMANDS[action];
    if (!command) {
      return refused(400, "UnknownOperationException", `${action} is not served locally`);
    }
    let sdkCommand;
    try {
      if (WRITES.has(action) && !writable.has(input.StreamName as string)) {
        throw accessDenied(opts.role, action, input.StreamName);
      }
      checkRequestSize(action, input);
      sdkCommand = command(input);
    } catch (e) {
      if (e instanceof KinesisRefusal) return refused(400, e.type, e.message);
      throw e;
    }
    try {
      return { status: 200, body: wire(await opts.kinesis.send(sdkCommand) as object) };
    } catch (e) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      const status = err.$metadata?.httpStatusCode;
      if (status === undefined) {
        throw new GatewayError(
          "INTEGRATION_FAILURE",
          `cannot reach Kinesis at ${opts.endpoint} for ${action}: ${networkReason(e)}; ` +
            "start it with `deno task stack:up`",
        );
      }
      return refused(status, err.name, err.message);
    }
  }
}
