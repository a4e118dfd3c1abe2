// Orderly consumption: each order's steps are handled one at a time, in the order they were sent
// (docs/client.md, Orderly consumption).
import { type MessageExt, PushConsumer } from '../../src/index.js';

/** Consumes `topic` orderly until `count` messages were handled; returns the bodies in handling order. */
export async function main(namesrvAddr: string, topic: string, count: number): Promise<string[]> {
  const handled: string[] = [];
  const apply = async (msg: MessageExt): Promise<void> => {
    handled.push(msg.bodyText());
  };
  // #region orderly
  const consumer = new PushConsumer({
    group: 'OrderSteps',
    namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    suspendCurrentQueueTimeMillis: 1000, // the pause after SUSPEND_CURRENT_QUEUE_A_MOMENT
    maxReconsumeTimes: 16, // then the message goes to %DLQ%OrderSteps (default: retry forever)
  });
  consumer.subscribe(topic, '*');
  consumer.registerMessageListener(
    async (msgs, ctx) => {
      try {
        for (const msg of msgs) await apply(msg); // one call per queue at a time, in queue order
        return 'SUCCESS';
      } catch {
        ctx.suspendCurrentQueueTimeMillis = 500; // this queue waits; the same messages come again
        return 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      }
    },
    { orderly: true },
  );
  await consumer.start();
  // #endregion orderly
  for (let i = 0; i < 600 && handled.length < count; i++) await new Promise((r) => setTimeout(r, 50));
  await consumer.shutdown();
  return handled;
}
