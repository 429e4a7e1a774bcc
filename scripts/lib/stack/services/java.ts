/**
 * Shared pieces of the JVM services (Kafka, Kafka Connect).
 *
 * @module
 */
import type { StackContext } from "../component.ts";

/** Writes a reload4j config logging to stdout (the service log) with extra logger lines. */
export async function writeLog4j(ctx: StackContext, file: string, extra: string[]): Promise<void> {
  await Deno.writeTextFile(
    ctx.run(file),
    [
      "log4j.rootLogger=INFO, stdout",
      "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
      "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
      "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
      ...extra,
      "",
    ].join("\n"),
  );
}
