/**
 * The contract every piece of the local stack fulfils: installable components (Spark,
 * Airflow, Jupyter) and, on top, services that run as processes with a real health check.
 *
 * @module
 */
import type { Config, PortName } from "../core/config.ts";
import type { Launch } from "./process.ts";
import type { Versions } from "./versions.ts";

/** Everything a component needs to install or run. */
export interface StackContext {
  cfg: Config;
  versions: Versions;
  /** `<cacheDir>/<name>`: where installs live, outside the checkout. */
  cache(name: string): string;
  /** `<stateDir>/data/<name>`: a service's data, created on demand. */
  data(name: string): string;
  /** `<stateDir>/logs/<file>`. */
  log(file: string): string;
  /** `<stateDir>/run/<file>`: pid files and generated config. */
  run(file: string): string;
}

/** What an install can need from the machine (see `preconditions.ts` for each check). */
export type Requirement =
  | "java"
  | "java17"
  | "maven"
  | "go"
  | "python"
  | "python313"
  | "node"
  | "ss"
  | "apt"
  | "disk";

/** Something `stack:install` installs. */
export interface Component {
  name: string;
  /** Human title for tables. */
  title: string;
  /** Machine prerequisites of its install and run, checked before any download. */
  requires?: Requirement[];
  /** Debian packages it installs (they need apt-get and root unless already there). */
  debianPackages?(ctx: StackContext): string[];
  /** Rough size of the install in the cache, for the free-disk check. */
  diskMiB?: number;
  /** Version string as pinned in stack/versions.yaml. */
  version(ctx: StackContext): string;
  installed(ctx: StackContext): Promise<boolean>;
  install(ctx: StackContext): Promise<void>;
}

/** A component that runs as a background process of the stack. */
export interface Service extends Component {
  /** Ports it binds; checked free before start. The first is its address in tables. */
  ports: PortName[];
  /** URL or host:port shown in the status table. */
  address(ctx: StackContext): string;
  /** Services that must be healthy first. */
  dependsOn: string[];
  /** Started by the first task that needs it, not by a bare `stack:up`. */
  onDemand?: boolean;
  /** Seconds to wait for health before giving up. */
  startTimeout: number;
  /** Writes config files and initialises data directories; idempotent. */
  prepare?(ctx: StackContext): Promise<void>;
  launch(ctx: StackContext): Promise<Launch>;
  /** A real check with a real client; resolves true when the service answers. */
  healthy(ctx: StackContext): Promise<boolean>;
  /** Runs once after the first healthy check of a start (users, buckets...). */
  afterStart?(ctx: StackContext): Promise<void>;
}
