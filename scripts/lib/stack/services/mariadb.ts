/**
 * MariaDB from Debian's package, run as our own instance on the state directory (the system
 * service is never started). Stands in for RDS MySQL.
 *
 * @module
 */
import mysql from "mysql2/promise";
import type { Service, StackContext } from "../component.ts";
import { aptInstall, missingDebs, step } from "../install.ts";

const socket = (ctx: StackContext) => ctx.run("mariadb.sock");

/** Runs SQL as root through the CLI on the socket (unix_socket auth, which mysql2 lacks). */
async function rootQuery(ctx: StackContext, sql: string[]): Promise<void> {
  const out = await new Deno.Command("mariadb", {
    args: [`--socket=${socket(ctx)}`, "--user=root", "--batch", "-e", sql.join(";\n")],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`MariaDB setup as root failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** The MariaDB service. */
export const mariadb: Service = {
  name: "mariadb",
  title: "MariaDB",
  requires: ["apt"],
  debianPackages: (ctx) => ctx.versions.list("mariadb", "debian_packages"),
  diskMiB: 250,
  ports: ["mariadb"],
  dependsOn: [],
  startTimeout: 60,
  version: (ctx) => ctx.versions.get("mariadb", "major"),
  address: (ctx) => `${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.mariadb}`,
  async installed(ctx) {
    return (await missingDebs(ctx.versions.list("mariadb", "debian_packages"))).length === 0;
  },
  async install(ctx) {
    await aptInstall(
      { component: "mariadb", logFile: ctx.log("install-mariadb.log") },
      ctx.versions.list("mariadb", "debian_packages"),
    );
  },
  async prepare(ctx) {
    const dir = ctx.data("mariadb");
    if (await Deno.stat(`${dir}/mysql`).then(() => true, () => false)) return;
    await Deno.mkdir(dir, { recursive: true });
    await step(
      { component: "mariadb", logFile: ctx.log("mariadb.log") },
      "initialise data directory",
      [
        "mariadb-install-db",
        "--no-defaults",
        `--datadir=${dir}`,
        "--user=root",
        "--auth-root-authentication-method=socket",
        "--skip-test-db",
      ],
    );
  },
  launch(ctx) {
    const { host, ports } = ctx.cfg.stack;
    return Promise.resolve({
      cmd: [
        "mariadbd",
        "--no-defaults",
        `--datadir=${ctx.data("mariadb")}`,
        `--socket=${socket(ctx)}`,
        `--pid-file=${ctx.run("mariadbd.pid")}`,
        `--port=${ports.mariadb}`,
        `--bind-address=${host}`,
        "--user=root",
        "--local-infile=1",
        "--innodb-buffer-pool-size=256M",
        "--innodb-log-file-size=256M",
        "--innodb-flush-log-at-trx-commit=2",
        "--skip-name-resolve",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
        "--max-allowed-packet=64M",
      ],
    });
  },
  async healthy(ctx) {
    try {
      const conn = await mysql.createConnection({
        host: ctx.cfg.stack.host,
        port: ctx.cfg.stack.ports.mariadb,
        user: ctx.cfg.mysql.user,
        password: ctx.cfg.mysql.password,
        connectTimeout: 2000,
      });
      await conn.query("select 1");
      await conn.end();
      return true;
    } catch (e) {
      // The server answers; our user appears in afterStart, right after the first start.
      const code = (e as { code?: string }).code ?? "";
      return ["ER_ACCESS_DENIED_ERROR", "ER_HOST_NOT_PRIVILEGED"].includes(code);
    }
  },
  async afterStart(ctx) {
    const { user, password, database } = ctx.cfg.mysql;
    const q = (s: string) => mysql.escape(s);
    await rootQuery(ctx, [
      `create user if not exists ${q(user!)}@'%' identified by ${q(password!)}`,
      `alter user ${q(user!)}@'%' identified by ${q(password!)}`,
      `grant all privileges on \`${database}\`.* to ${q(user!)}@'%'`,
      `create database if not exists \`${database}\``,
    ]);
  },
};
