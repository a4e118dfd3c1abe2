// A clustering push consumer that tells failures apart (docs/client.md, PushConsumer).
import { type MessageExt, PushConsumer } from '../../src/index.js';

/** Consumes `topic` until `count` messages were handled; the first delivery of each `fail-*` body is rejected. */
export async function main(namesrvAddr: string, topic: string, count: number): Promise<MessageExt[]> {
  const handled: MessageExt[] = [];
  const handle = async (msg: MessageExt): Promise<void> => {
    if (msg.bodyText().startsWith('fail') && msg.reconsumeTimes === 0) throw new Error('not yet');
    handled.push(msg);
  };
  // #region push
  const consumer = new PushConsumer({
    group: 'Billing',
    namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  consumer.subscribe(topic, '*');
  consumer.registerMessageListener(async (msgs, ctx) => {
    try {
      for (const msg of msgs) await handle(msg); // msg.reconsumeTimes > 0 on a redelivery
      return 'CONSUME_SUCCESS';
    } catch {
      ctx.delayLevelWhenNextConsume = 1; // retry in 1 s (0: the broker's 3 + reconsumeTimes)
      return 'RECONSUME_LATER';
    }
  });
  await consumer.start();
  // #endregion push
  for (let i = 0; i < 600 && handled.length < count; i++) await new Promise((r) => setTimeout(r, 50));
  await consumer.shutdown(); // waits for running listener calls, then persists offsets
  return handled;
}
