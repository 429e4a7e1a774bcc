/**
 * Kinesis clients from the config: kinesalite locally over plain HTTP/1.1, Kinesis on AWS.
 *
 * @module
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Config } from "../core/config.ts";

/**
 * Creates a Kinesis client. Locally it uses an HTTP/1.1 handler: the SDK defaults to HTTP/2,
 * which kinesalite (a Node `http` server) does not speak.
 *
 * @example
 * ```ts ignore
 * const kinesis = kinesisClient(cfg);
 * await kinesis.send(new ListStreamsCommand({}));
 * ```
 */
export function kinesisClient(cfg: Config): KinesisClient {
  const local = cfg.kinesis.endpoint !== undefined;
  return new KinesisClient({
    region: cfg.region,
    endpoint: cfg.kinesis.endpoint,
    requestHandler: local ? new NodeHttpHandler() : undefined,
    // kinesalite accepts any credentials; never borrow the developer's real AWS keys for it.
    credentials: local ? { accessKeyId: "local", secretAccessKey: "local" } : undefined,
  });
}
