// Request/reply over topics (docs/client.md, Request/reply).
import { Message, MQRequestTimeoutError, Producer, PushConsumer } from '../../src/index.js';

/** A price service answers quote requests; returns the replies the client got. */
export async function main(namesrvAddr: string): Promise<string[]> {
  const setup = new Producer({ group: 'QuoteSetup', namesrvAddr });
  await setup.start();
  await setup.createTopic('TBW102', 'Quotes', 1);
  await setup.shutdown();
  const answers: string[] = [];
  // #region server
  // the service: a consumer that answers each request with a producer
  const replier = new Producer({ group: 'QuoteService', namesrvAddr });
  await replier.start();
  const service = new PushConsumer({ group: 'QuoteService', namesrvAddr });
  service.subscribe('Quotes', '*');
  service.registerMessageListener(async (msgs) => {
    for (const request of msgs) {
      const price = request.bodyText() === 'ACME' ? '42.00' : 'unknown';
      await replier.reply(request, price); // = send(MessageUtil.createReplyMessage(request, price))
    }
    return 'CONSUME_SUCCESS';
  });
  await service.start();
  // #endregion server
  // #region client
  // the client: request() resolves with the reply (or rejects with MQRequestTimeoutError)
  const client = new Producer({ group: 'QuoteClient', namesrvAddr, instanceName: 'quote-client' });
  await client.start();
  try {
    const reply = await client.request(new Message({ topic: 'Quotes', body: 'ACME' }), { timeoutMs: 5000 });
    answers.push(reply.bodyText()); // '42.00'
  } catch (err) {
    if (!(err instanceof MQRequestTimeoutError)) throw err;
    answers.push('no answer in time');
  }
  // #endregion client
  await Promise.all([client.shutdown(), service.shutdown(), replier.shutdown()]);
  return answers;
}
