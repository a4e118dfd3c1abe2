/**
 * V8 flags a broker process should start with, as RocketMQ's runbroker.sh gives the JVM its heap
 * options. They must be on node's command line: V8 sizes its heap before any of our code runs, and
 * NODE_OPTIONS refuses them. The `cometmq` executable's shebang (src/cli/main.ts), `npm start` and
 * `bench compare` pass them; node-flags.test.ts keeps those in step with this list.
 *
 * --initial-old-space-size=128: the old generation's collection limit starts at 128 MiB and does not
 * drop below it. A broker's live heap is ~10 MiB, so V8 otherwise sets that limit at ~34 MiB, and the
 * ~150 MB/s that a busy broker promotes (requests and replies in flight across two scavenges) brought
 * a mark-compact every ~80 ms while a consumer drained a backlog, with V8's helper threads marking
 * concurrently on the core the load generator needs. With it: one mark-compact in a whole produce and
 * consume run instead of 36-59, and in three alternated runs 5-17% more msgs/s produced. The price is
 * up to ~128 MiB of heap between full collections.
 */
export const BROKER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

/** The flags of BROKER_NODE_FLAGS this process was not started with (by name; any value counts). */
export function missingBrokerNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return BROKER_NODE_FLAGS.filter((flag) => {
    const name = flag.split('=')[0]!;
    return !execArgv.some((a) => a === name || a.startsWith(`${name}=`));
  });
}
