// Retries and the dead-letter queue (docs/client.md, Retries and dead letters).
import { type MessageExt, PushConsumer } from '../../src/index.js';

/** Consumes `topic`, failing every `poison` message; returns the reconsumeTimes of each poison delivery. */
export async function main(namesrvAddr: string, topic: string): Promise<number[]> {
  const attempts: number[] = [];
  const handle = async (msg: MessageExt): Promise<void> => {
    if (msg.bodyText() === 'poison') {
      attempts.push(msg.reconsumeTimes);
      throw new Error('cannot handle this one');
    }
  };
  // #region dlq
  const consumer = new PushConsumer({
    group: 'Invoices',
    namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    maxReconsumeTimes: 2, // 1 delivery + 2 retries, then %DLQ%Invoices (default 16)
  });
  consumer.subscribe(topic, '*');
  consumer.registerMessageListener(async (msgs) => {
    for (const msg of msgs) await handle(msg); // a throw = RECONSUME_LATER
    return 'CONSUME_SUCCESS';
  });
  await consumer.start();
  // #endregion dlq
  for (let i = 0; i < 600 && attempts.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1500)); // no fourth attempt comes
  await consumer.shutdown();
  return attempts;
}
