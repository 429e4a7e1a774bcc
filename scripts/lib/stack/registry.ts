/**
 * Every component of the local stack, in start order.
 *
 * @module
 */
import type { Component, Service } from "./component.ts";
import { mariadb } from "./services/mariadb.ts";

/** Services `stack:up` starts, in dependency order. */
export const SERVICES: Service[] = [mariadb];

/** Everything `stack:install` installs: the services, then the engines later steps start. */
export const COMPONENTS: Component[] = [...SERVICES];
