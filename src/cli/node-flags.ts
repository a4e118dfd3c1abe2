import { componentLogger } from '../common/logger.js';

/**
 * V8 flags a broker process should start with, as RocketMQ's runbroker.sh gives the JVM its heap
 * options. They must be on node's command line: V8 sizes its heap before any of our code runs, and
 * NODE_OPTIONS refuses them. The `cometmq` executable's shebang (src/cli/main.ts), `npm start`,
 * `bench compare` and `bench ha` pass them; node-flags.test.ts keeps all four in step with this list.
 *
 * --initial-old-space-size=128: the old generation's collection limit starts at 128 MiB and does not
 * drop below it. A broker's live heap is ~10 MiB, so V8 otherwise sets that limit at ~34 MiB; and after
 * every scavenge it starts marking for a full collection whenever the room left under the limit is
 * less than the young generation (which one scavenge could promote whole). A busy broker scavenges
 * every ~45 ms, so it ran a mark-compact every ~80-400 ms although it promotes well under 1 MB/s, with
 * V8's helper threads marking on the core the clients need. With the flag: one mark-compact in a whole
 * produce and consume run instead of 36-59, half the helper threads' CPU per message, and in 12 of 13
 * alternated producer runs more msgs/s (docs/benchmarks.md, session 9). The price is up to ~128 MiB of
 * heap between full collections.
 */
export const BROKER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];

/** The flags of BROKER_NODE_FLAGS this process was not started with (by name; any value counts). */
export function missingBrokerNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return BROKER_NODE_FLAGS.filter((flag) => {
    const name = flag.split('=')[0]!;
    return !execArgv.some((a) => a === name || a.startsWith(`${name}=`));
  });
}

/** A broker started as `node dist/src/cli/main.js broker` rather than `cometmq broker` says what that costs. */
export function warnMissingNodeFlags(): void {
  const missing = missingBrokerNodeFlags();
  if (missing.length > 0)
    componentLogger('broker').info(
      { missing },
      'node was started without the broker\'s V8 flags: more garbage collection under load (docs/configuration.md, "Node.js flags")',
    );
}
