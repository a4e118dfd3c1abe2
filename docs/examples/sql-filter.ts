// SQL92 filtering on message properties (docs/client.md, Filtering with SQL92).
import { Message, MessageSelector, Producer, PushConsumer } from '../../src/index.js';

/** Sends temperatures from a few regions; returns what a consumer of hot readings in 'eu' received. */
export async function main(namesrvAddr: string): Promise<string[]> {
  const producer = new Producer({ group: 'SensorProducer', namesrvAddr });
  await producer.start();
  await producer.createTopic('TBW102', 'Sensors', 2);
  const received: string[] = [];
  // #region sql
  const consumer = new PushConsumer({
    group: 'HotEurope',
    namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  // the broker evaluates the condition (enablePropertyFilter=true): only matches are delivered
  consumer.subscribe('Sensors', MessageSelector.bySql("region = 'eu' AND celsius > 30"));
  // same as: consumer.subscribe('Sensors', { sql: "region = 'eu' AND celsius > 30" });
  consumer.registerMessageListener(async (msgs) => {
    for (const msg of msgs) received.push(msg.bodyText());
    return 'CONSUME_SUCCESS';
  });
  await consumer.start(); // rejects with MQBrokerError if the broker cannot filter by SQL92

  for (const [region, celsius] of [
    ['eu', 35],
    ['us', 40],
    ['eu', 20],
    ['eu', 31],
  ] as const) {
    await producer.send(
      new Message({
        topic: 'Sensors',
        body: `${region} ${celsius}`,
        properties: { region, celsius: String(celsius) }, // compared as numbers when they parse
      }),
    );
  }
  // #endregion sql
  for (let i = 0; i < 400 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  await Promise.all([consumer.shutdown(), producer.shutdown()]);
  return received.sort();
}
