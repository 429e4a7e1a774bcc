/**
 * kafkajs clients from the config: plaintext to the local broker, IAM over TLS to MSK.
 *
 * @module
 */
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { generateAuthToken } from "aws-msk-iam-sasl-signer-js";
import type { Config } from "../core/config.ts";

/**
 * Creates a kafkajs client for the configured brokers.
 *
 * @example
 * ```ts ignore
 * const admin = kafkaClient(cfg, "setup-topics").admin();
 * ```
 */
export function kafkaClient(cfg: Config, clientId: string, opts: { quiet?: boolean } = {}): Kafka {
  const iam = cfg.kafka.auth === "iam";
  const sasl: SASLOptions | undefined = iam
    ? {
      mechanism: "oauthbearer",
      oauthBearerProvider: async () => {
        const { token } = await generateAuthToken({ region: cfg.region });
        return { value: token };
      },
    }
    : undefined;
  return new Kafka({
    clientId,
    brokers: cfg.kafka.brokers,
    ssl: iam,
    sasl,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    logLevel: opts.quiet ? logLevel.NOTHING : logLevel.ERROR,
    retry: { retries: 5, initialRetryTime: 200 },
  });
}
