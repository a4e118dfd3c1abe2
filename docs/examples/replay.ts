// Re-reading a queue from a point in time with a LitePullConsumer, committing by hand.
import { LitePullConsumer, Message, Producer } from '../../src/index.js';

export async function main(namesrvAddr: string): Promise<string[]> {
  const producer = new Producer({ group: 'ReplayProducer', namesrvAddr });
  await producer.start();
  await producer.createTopic('TBW102', 'Replay', 1); // one queue keeps the example short
  await producer.send(new Message({ topic: 'Replay', body: 'old' }));
  await new Promise((r) => setTimeout(r, 1100));
  const since = Date.now();
  await producer.send(new Message({ topic: 'Replay', body: 'new 1' }));
  await producer.send(new Message({ topic: 'Replay', body: 'new 2' }));
  await producer.shutdown();

  // #region replay
  const consumer = new LitePullConsumer({ group: 'ReplayGroup', namesrvAddr, autoCommit: false });
  await consumer.start();
  const [mq] = await consumer.fetchMessageQueues('Replay');
  consumer.assign([mq!]);
  await consumer.seekToTimestamp(mq!, since);
  const bodies: string[] = [];
  let next = -1;
  for (let i = 0; i < 20 && bodies.length < 2; i++) {
    for (const msg of await consumer.poll(500)) {
      bodies.push(msg.bodyText());
      next = msg.queueOffset + 1;
    }
  }
  if (next >= 0) await consumer.commit(mq!, next); // the group resumes after what we read
  // #endregion replay
  await consumer.shutdown();
  return bodies;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main(process.env.NAMESRV_ADDR ?? '127.0.0.1:9876').then(
    (bodies) => console.log(bodies),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
