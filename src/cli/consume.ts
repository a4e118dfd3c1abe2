import type { Command } from 'commander';
import { type ConsumeFromWhere, type MessageExt, PushConsumer } from '../index.js';

export interface ConsumeOptions {
  topic: string;
  group: string;
  namesrvAddr?: string;
  tags?: string;
  from?: string;
  broadcast?: boolean;
  json?: boolean;
  count?: string;
}

/** A received message as one JSON object (body as UTF-8 text). */
export function messageToJson(m: MessageExt): Record<string, unknown> {
  return {
    topic: m.topic,
    tags: m.tags,
    keys: m.keys,
    msgId: m.msgId,
    offsetMsgId: m.offsetMsgId,
    brokerName: m.brokerName,
    queueId: m.queueId,
    queueOffset: m.queueOffset,
    reconsumeTimes: m.reconsumeTimes,
    bornTimestamp: m.bornTimestamp,
    storeTimestamp: m.storeTimestamp,
    properties: m.userProperties,
    body: m.bodyText(),
  };
}

/** `--from first|last|<yyyyMMddHHmmss or epoch ms>`. */
export function parseFrom(from: string | undefined): {
  where: ConsumeFromWhere;
  timestamp?: string | number;
} {
  if (from === undefined || from === 'last') return { where: 'CONSUME_FROM_LAST_OFFSET' };
  if (from === 'first') return { where: 'CONSUME_FROM_FIRST_OFFSET' };
  if (/^\d{14}$/.test(from)) return { where: 'CONSUME_FROM_TIMESTAMP', timestamp: from };
  if (/^\d+$/.test(from)) return { where: 'CONSUME_FROM_TIMESTAMP', timestamp: Number(from) };
  throw new Error(`--from must be first, last, yyyyMMddHHmmss or epoch milliseconds, got ${from}`);
}

/**
 * `cometmq consume`: prints every message (its body, or a JSON line with --json) until `signal` aborts
 * or `--count` messages arrived. Returns how many were printed.
 */
export async function runConsume(
  opts: ConsumeOptions,
  out: (line: string) => void,
  signal: AbortSignal,
): Promise<number> {
  const from = parseFrom(opts.from);
  const limit = opts.count === undefined ? Number.POSITIVE_INFINITY : Number.parseInt(opts.count, 10);
  if (!(limit > 0)) throw new Error(`--count must be a positive integer, got ${opts.count}`);
  const consumer = new PushConsumer({
    group: opts.group,
    namesrvAddr: opts.namesrvAddr ?? process.env.NAMESRV_ADDR ?? '127.0.0.1:9876',
    instanceName: `cli-consume-${process.pid}`,
    messageModel: opts.broadcast ? 'BROADCASTING' : 'CLUSTERING',
    consumeFromWhere: from.where,
    consumeTimestamp: from.timestamp,
    // one message per listener call, one call at a time: printed in queue order, exact --count
    consumeThreadMax: 1,
    consumeMessageBatchMaxSize: 1,
  });
  let printed = 0;
  // past the limit the listener holds the message until shutdown has begun, then rejects it: it is
  // neither printed nor committed, so the next reader of the group gets it
  let releaseHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  let reachedLimit: () => void = () => {};
  const limitReached = new Promise<void>((resolve) => {
    reachedLimit = resolve;
  });
  consumer.subscribe(opts.topic, opts.tags ?? '*');
  consumer.registerMessageListener(async (msgs) => {
    const m = msgs[0]!;
    if (printed >= limit) {
      await held;
      return 'RECONSUME_LATER';
    }
    out(opts.json ? JSON.stringify(messageToJson(m)) : m.bodyText());
    printed++;
    if (printed >= limit) reachedLimit();
    return 'CONSUME_SUCCESS';
  });
  await consumer.start();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    void limitReached.then(resolve);
  });
  const stopped = consumer.shutdown();
  releaseHeld();
  await stopped;
  return printed;
}

export function registerConsumeCommand(program: Command): void {
  program
    .command('consume')
    .description('print messages of a topic as they arrive (Ctrl-C to stop)')
    .requiredOption('-t, --topic <topic>', 'topic to consume')
    .requiredOption('-g, --group <group>', 'consumer group')
    .option('-n, --namesrvAddr <addr>', 'NameServer address(es) (default $NAMESRV_ADDR or 127.0.0.1:9876)')
    .option('--tags <expr>', "tag expression, e.g. 'TagA || TagB' (default *)")
    .option('--from <where>', 'where a new group starts: first, last, yyyyMMddHHmmss or epoch ms', 'last')
    .option('--broadcast', 'broadcasting: this consumer gets every message')
    .option('--json', 'print each message as a JSON line')
    .option('--count <n>', 'exit after this many messages')
    .action(async (opts: ConsumeOptions) => {
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await runConsume(opts, (l) => process.stdout.write(`${l}\n`), stop.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
