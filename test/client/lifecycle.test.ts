/**
 * Clean shutdown: after every producer and consumer shut down, the SDK leaves no sockets, timers or
 * process listeners behind and no promise rejected unhandled, even with a broker that went away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LitePullConsumer, Message, Producer, PushConsumer } from '../../src/index.js';
import { defaultTarget, type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';

const EVENTS = [
  'SIGINT',
  'SIGTERM',
  'exit',
  'beforeExit',
  'uncaughtException',
  'unhandledRejection',
] as const;

function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

describe.skipIf(testTargets().length === 0)('client lifecycle', () => {
  let cluster: StartedCluster;

  beforeAll(async () => {
    cluster = await startCluster(defaultTarget());
  }, 120_000);

  afterAll(async () => {
    await cluster?.shutdown();
  }, 60_000);

  it('leaves no sockets, timers, listeners or unhandled rejections after shutdown', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    // settle whatever the test runner itself has going before taking the baseline
    await new Promise((r) => setTimeout(r, 100));
    const listenersBefore = EVENTS.map((e) => process.listenerCount(e));
    process.on('unhandledRejection', onRejection);
    const before = resources();

    const producer = new Producer({ group: 'LifeP', namesrvAddr: cluster.namesrvAddr, instanceName: 'life' });
    const push = new PushConsumer({
      group: 'LifeC',
      namesrvAddr: cluster.namesrvAddr,
      instanceName: 'life',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    const pull = new LitePullConsumer({
      group: 'LifeL',
      namesrvAddr: cluster.namesrvAddr,
      instanceName: 'life2',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    let got = 0;
    push.subscribe('Life', '*');
    push.registerMessageListener(async (msgs) => {
      got += msgs.length;
      return 'CONSUME_SUCCESS';
    });
    pull.subscribe('Life', '*');
    await producer.start();
    await producer.send(new Message({ topic: 'Life', body: 'x' }));
    await Promise.all([push.start(), pull.start()]);
    const deadline = Date.now() + 20_000;
    let pulled = 0;
    while ((got === 0 || pulled === 0) && Date.now() < deadline) pulled += (await pull.poll(200)).length;
    expect(got).toBe(1);
    expect(pulled).toBe(1);
    // both consumers sit in long-polling pulls now; shutdown must still be clean
    await Promise.all([producer.shutdown(), push.shutdown(), pull.shutdown()]);
    await new Promise((r) => setTimeout(r, 200));

    process.off('unhandledRejection', onRejection);
    expect(rejections).toEqual([]);
    expect(EVENTS.map((e) => process.listenerCount(e))).toEqual(listenersBefore);
    const after = resources();
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(before.TCPSocketWrap ?? 0);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
  }, 60_000);

  it('a producer whose NameServer is gone fails with a typed error, and shuts down cleanly', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    const p = new Producer({
      group: 'Gone',
      namesrvAddr: '127.0.0.1:9',
      instanceName: 'gone',
      sendMsgTimeout: 1000,
    });
    await p.start();
    await expect(p.send(new Message({ topic: 'X', body: 'x' }))).rejects.toMatchObject({
      name: 'MQClientError',
    });
    await p.shutdown();
    await expect(p.send(new Message({ topic: 'X', body: 'x' }))).rejects.toThrow(/state not OK/);
    await new Promise((r) => setTimeout(r, 100));
    process.off('unhandledRejection', onRejection);
    expect(rejections).toEqual([]);
  }, 30_000);
});
