/**
 * Shared pieces of the JVM services (Kafka, Kafka Connect, the Spark Connect server).
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

/** Seconds of idleness after which G1 collects and shrinks the heap (G1PeriodicGCInterval). */
const IDLE_GC_SECONDS = 30;

/**
 * G1 flags that hand a service's heap back when it idles: the stack sits idle most of the time,
 * and G1 by default keeps what a burst grew and never collects a quiet heap. Each service adds
 * its own `-Xms`/`-Xmx`; a small `-Xms` lets the heap shrink that far.
 */
export const IDLE_HEAP_FLAGS = [
  "-XX:+UseG1GC",
  `-XX:G1PeriodicGCInterval=${IDLE_GC_SECONDS * 1000}`,
  // A full collection when idle, not a concurrent cycle: only it compacts the heap and hands it
  // back (the Spark Connect server after five jobs: RSS 1,426 MiB, 817 MiB after a full one).
  "-XX:-G1PeriodicGCInvokesConcurrent",
  // Give back what is free beyond 30% of the live heap (G1 keeps up to 70% by default).
  "-XX:MinHeapFreeRatio=10",
  "-XX:MaxHeapFreeRatio=30",
];

/**
 * Environment of a JVM service: glibc's default of 8 malloc arenas a core holds hundreds of MiB
 * for the JVM's threads; two are plenty for a service of the local stack.
 */
export const JVM_SERVICE_ENV: Record<string, string> = { MALLOC_ARENA_MAX: "2" };
