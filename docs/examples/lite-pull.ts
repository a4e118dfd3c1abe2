// Reading a topic with `for await` (docs/client.md, LitePullConsumer).
import { LitePullConsumer } from '../../src/index.js';

export async function main(namesrvAddr: string, topic: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  // #region iterate
  const pull = new LitePullConsumer({
    group: 'Reader',
    namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  pull.subscribe(topic, '*'); // or pull.assign(await pull.fetchMessageQueues(topic)) after start()
  await pull.start();
  for await (const msg of pull) {
    bodies.push(msg.bodyText());
    if (bodies.length === count) break;
  }
  await pull.shutdown(); // commits what was read
  // #endregion iterate
  return bodies;
}
