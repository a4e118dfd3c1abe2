// Ordered sending: every message of one order goes to the same queue, in send order.
import { Message, type MessageQueue, Producer } from '../../src/index.js';

export async function main(namesrvAddr: string): Promise<Map<string, MessageQueue[]>> {
  const producer = new Producer({ group: 'OrderProducer', namesrvAddr });
  await producer.start();
  // #region ordered
  // a selector maps the same argument to the same queue (selectMessageQueueByHash does this too)
  const byOrderId = (mqs: MessageQueue[], _msg: Message, orderId: number): MessageQueue =>
    mqs[orderId % mqs.length]!;
  const queues = new Map<string, MessageQueue[]>();
  for (const orderId of [1, 2, 3]) {
    for (const step of ['created', 'paid', 'shipped']) {
      const r = await producer.send(
        new Message({ topic: 'Orders', body: `${orderId}:${step}`, keys: `order-${orderId}` }),
        byOrderId,
        orderId,
      );
      const list = queues.get(`order-${orderId}`) ?? [];
      list.push(r.messageQueue);
      queues.set(`order-${orderId}`, list);
    }
  }
  // #endregion ordered
  await producer.shutdown();
  return queues;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  main(process.env.NAMESRV_ADDR ?? '127.0.0.1:9876').catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
