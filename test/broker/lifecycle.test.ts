import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

let namesrv: RunningProcess;
const started: RunningProcess[] = [];
const dirs: Array<{ remove(): Promise<void> }> = [];
const ns = new RemotingClient();

beforeAll(async () => {
  namesrv = await startNamesrv();
});

afterAll(async () => {
  await ns.shutdown();
  for (const p of started) await p.kill();
  await namesrv?.kill();
  for (const d of dirs) await d.remove();
});

async function routeCode(topic: string): Promise<number> {
  const r = await ns.invokeSync(
    namesrv.addr,
    RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
    5000,
  );
  return r.code;
}

async function waitForRoute(topic: string, code: number, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await routeCode(topic)) !== code) {
    if (Date.now() > end) throw new Error(`route of ${topic} did not become ${code}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function broker(name: string, storePathRootDir: string): Promise<RunningProcess> {
  const b = await startBroker({ namesrvAddr: namesrv.addr, storePathRootDir, brokerName: name });
  started.push(b);
  return b;
}

describe('broker lifecycle', () => {
  it('consumer offsets and topics survive a graceful restart; SIGTERM unregisters and writes the config files', async () => {
    const dir = await tempDir('cometmq-broker-restart-');
    dirs.push(dir);
    let b = await broker('broker-r', dir.path);
    let c = new BrokerTestClient(b.addr);
    await c.createTopic('RestartT', 2);
    await c.send('RestartT', 'm', { queueId: 1 });
    await c.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: 'G-r',
      topic: 'RestartT',
      queueId: 1,
      commitOffset: 1,
    });
    await waitForRoute('RestartT', ResponseCode.SUCCESS);
    await c.close();
    expect(await b.terminate()).toBe(0);
    // unregistered on the way out: the route is gone at once, not after 120 s
    expect(await routeCode('RestartT')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    for (const f of ['topics.json', 'consumerOffset.json', 'subscriptionGroup.json']) {
      expect(existsSync(join(dir.path, 'config', f))).toBe(true);
    }
    b = await broker('broker-r', dir.path);
    c = new BrokerTestClient(b.addr);
    const q = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: 'G-r',
      topic: 'RestartT',
      queueId: 1,
    });
    expect(q.code).toBe(ResponseCode.SUCCESS);
    expect(q.extFields.offset).toBe('1');
    const max = await c.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'RestartT', queueId: 1 });
    expect(max.extFields.offset).toBe('1');
    await waitForRoute('RestartT', ResponseCode.SUCCESS);
    await c.close();
    await b.terminate();
  });

  it('offsets are persisted every 5 s, so they survive kill -9 after that', async () => {
    const dir = await tempDir('cometmq-broker-kill-');
    dirs.push(dir);
    let b = await broker('broker-k', dir.path);
    let c = new BrokerTestClient(b.addr);
    await c.createTopic('KillT', 1);
    await c.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: 'G-k',
      topic: 'KillT',
      queueId: 0,
      commitOffset: 7,
    });
    await new Promise((r) => setTimeout(r, 6500));
    await c.close();
    await b.kill();
    b = await broker('broker-k', dir.path);
    c = new BrokerTestClient(b.addr);
    const q = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: 'G-k',
      topic: 'KillT',
      queueId: 0,
    });
    expect(q.extFields.offset).toBe('7');
    await c.close();
    await b.kill();
  });

  it('a killed broker disappears from routes once its connection drops', async () => {
    const dir = await tempDir('cometmq-broker-gone-');
    dirs.push(dir);
    const b = await broker('broker-g', dir.path);
    const c = new BrokerTestClient(b.addr);
    await c.createTopic('GoneT', 1);
    await waitForRoute('GoneT', ResponseCode.SUCCESS);
    await c.close();
    await b.kill();
    await waitForRoute('GoneT', ResponseCode.TOPIC_NOT_EXIST, 10_000);
  });
});
