// The quick start of docs/client.md. In your code, import from 'cometmq'.
import { LitePullConsumer, Message, type MessageExt, Producer, PushConsumer } from '../../src/index.js';

export async function main(namesrvAddr: string): Promise<{ pushed: string[]; pulled: MessageExt[] }> {
  const pushed: string[] = [];
  // #region quickstart
  const producer = new Producer({ group: 'G', namesrvAddr });
  await producer.start();
  const r = await producer.send(
    new Message({ topic: 'T', body: 'hello', tags: 'TagA', keys: 'k1', properties: { a: '1' } }),
  );
  console.log(r.status, r.msgId, r.messageQueue, r.queueOffset); // SEND_OK ...

  const consumer = new PushConsumer({
    group: 'CG',
    namesrvAddr,
    messageModel: 'CLUSTERING',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  consumer.subscribe('T', 'TagA || TagB');
  consumer.registerMessageListener(async (msgs) => {
    for (const msg of msgs) pushed.push(msg.bodyText());
    return 'CONSUME_SUCCESS'; // 'RECONSUME_LATER' (or a throw) has the messages retried later
  });
  await consumer.start();

  const pull = new LitePullConsumer({
    group: 'PG',
    namesrvAddr,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  });
  pull.subscribe('T', '*');
  await pull.start();
  const batch = await pull.poll(1000); // MessageExt[]: msg.keys, msg.tags, msg.body (Buffer), msg.properties ...
  // #endregion quickstart
  const pulled: MessageExt[] = [...batch];
  for (let i = 0; i < 20 && pulled.length === 0; i++) pulled.push(...(await pull.poll(1000)));
  for (let i = 0; i < 100 && pushed.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  // #region shutdown
  await Promise.all([producer.shutdown(), consumer.shutdown(), pull.shutdown()]);
  // #endregion shutdown
  return { pushed, pulled };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main(process.env.NAMESRV_ADDR ?? '127.0.0.1:9876').catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
