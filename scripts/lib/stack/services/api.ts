/**
 * The API gateway (scripts/api.ts) as a stack service: API Gateway in the original.
 *
 * @module
 */
import { denoService } from "./deno_service.ts";

/** The API gateway service. */
export const api = denoService({
  name: "api",
  title: "API gateway",
  port: "api",
  script: "scripts/api.ts",
  dependsOn: ["rest_proxy"],
  permissions: "client",
});
