/**
 * Reads a stream back (what `aws kinesis get-records` does): every shard from TRIM_HORIZON to
 * its end, for tests and checks that count what reached Kinesis.
 *
 * @module
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { openShards } from "./streams.ts";

/**
 * The data of every record in a stream, shard by shard, oldest first.
 *
 * @example
 * ```ts ignore
 * const records = await readStream(kinesisClient(cfg), cfg.names.streams.pin);
 * JSON.parse(new TextDecoder().decode(records[0])); // { index: 7528, ... }
 * ```
 */
export async function readStream(kinesis: KinesisClient, stream: string): Promise<Uint8Array[]> {
  const data: Uint8Array[] = [];
  for (const shard of await openShards(kinesis, stream)) {
    let iterator = (await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shard.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )).ShardIterator;
    // kinesalite may answer empty before the end; an empty answer at the tip ends the shard.
    for (let round = 0; iterator && round < 50; round++) {
      const res = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const r of res.Records ?? []) data.push(r.Data!);
      if (!res.Records?.length && (res.MillisBehindLatest ?? 0) === 0) break;
      iterator = res.NextShardIterator;
    }
  }
  return data;
}
