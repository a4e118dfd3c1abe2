import {
  LitePullConsumer,
  Message,
  type MessageExt,
  type Producer,
  type PushConsumer,
} from '../../src/index.js';

/** Polls `cond` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** Sends `count` messages with bodies `${prefix}${i}`, `concurrency` in flight. */
export async function sendMany(
  producer: Producer,
  topic: string,
  prefix: string,
  count: number,
  concurrency = 32,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await producer.send(new Message({ topic, body: `${prefix}${i}`, keys: `${prefix}${i}` }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** True when every consumer owns some of the topic's queues and together they own each exactly once. */
export function balanced(consumers: PushConsumer[], topic: string, queueCount: number): boolean {
  const owned = consumers.flatMap((c) => c.assignedMessageQueues().filter((q) => q.topic === topic));
  const distinct = new Set(owned.map((q) => `${q.brokerName}:${q.queueId}`));
  return (
    owned.length === queueCount &&
    distinct.size === queueCount &&
    consumers.every((c) => c.assignedMessageQueues().some((q) => q.topic === topic))
  );
}

/** Counts deliveries per body. */
export class Tally {
  readonly counts = new Map<string, number>();
  deliveries = 0;
  add(body: string): void {
    this.deliveries++;
    this.counts.set(body, (this.counts.get(body) ?? 0) + 1);
  }
  get distinct(): number {
    return this.counts.size;
  }
  get duplicates(): number {
    return this.deliveries - this.counts.size;
  }
}

/**
 * Reads every message of %DLQ%group. A DLQ is created write-only (as RocketMQ does), so it is first
 * made readable (UPDATE_AND_CREATE_TOPIC, perm 6), then read from its start with a lite pull consumer.
 */
export async function readDeadLetters(
  namesrvAddr: string,
  admin: Producer,
  group: string,
  expected: number,
  timeoutMs = 10_000,
): Promise<MessageExt[]> {
  const dlq = `%DLQ%${group}`;
  await admin.createTopic('TBW102', dlq, 1, { perm: 6 });
  const reader = new LitePullConsumer({
    group: `${group}_DLQ_READER`,
    namesrvAddr,
    instanceName: `dlq-${group}`,
    autoCommit: false,
  });
  await reader.start();
  const out: MessageExt[] = [];
  try {
    const [mq] = await reader.fetchMessageQueues(dlq);
    reader.assign([mq!]);
    await reader.seekToBegin(mq!);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && out.length < expected) out.push(...(await reader.poll(500)));
  } finally {
    await reader.shutdown();
  }
  return out;
}
