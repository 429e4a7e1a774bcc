/**
 * The Kafka REST proxy (scripts/rest_proxy.ts) as a stack service. Strimzi's bridge, the
 * design's choice, is not served by the reachable Maven Central; see docs/architecture.md.
 *
 * @module
 */
import { denoService } from "./deno_service.ts";

/** The REST proxy service. */
export const restProxy = denoService({
  name: "rest_proxy",
  title: "Kafka REST proxy",
  port: "rest_proxy",
  script: "scripts/rest_proxy.ts",
  dependsOn: ["kafka"],
  permissions: "client",
});
