/**
 * Issue 6 with real processes: one NameServer, a SYNC_MASTER and its SLAVE (`cometmq broker`), the
 * slave finding its master through REGISTER_BROKER. The CommitLogs end byte-identical and the slave
 * serves the same messages; without its slave the master answers SLAVE_NOT_AVAILABLE.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMessages } from '../../src/common/message-decoder.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { brokerRuntimeInfo } from './broker-test-client.js';
import { useMasterSlavePair } from './master-slave-pair.js';

const TOPIC = 'HaTopic';
const QUEUES = 4;
const COUNT = 5000;

const pair = useMasterSlavePair({
  dirPrefix: 'cometmq-ha-',
  brokerName: 'ha-a',
  masterRole: 'SYNC_MASTER',
  common: ['--mappedFileSizeCommitLog=1048576', '--flushIntervalCommitLog=100'],
  slaveExtra: ['--slaveReadEnable=true'],
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function commitLog(root: string): Map<string, Buffer> {
  const dir = join(root, 'commitlog');
  return new Map(
    fs
      .readdirSync(dir)
      .sort()
      .map((n) => [n, fs.readFileSync(join(dir, n))]),
  );
}

describe('master and slave brokers', () => {
  it('replicate 5,000 messages byte for byte; the slave serves them; without it SYNC_MASTER answers SLAVE_NOT_AVAILABLE', async () => {
    const { mc, sc, slave, masterDir, slaveDir } = pair;
    expect((await mc.createTopic(TOPIC, QUEUES)).code).toBe(ResponseCode.SUCCESS);
    await waitFor('the slave link', async () =>
      (await brokerRuntimeInfo(mc)).get('haConnectionCount') === '1' ? true : undefined,
    );

    // SYNC_MASTER: each send is answered once the slave has it; 64 in flight
    let next = 0;
    const codes = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < COUNT) {
          const i = next++;
          const r = await mc.send(TOPIC, `message ${i} ${'x'.repeat(i % 700)}`, {
            queueId: i % QUEUES,
            keys: `k${i}`,
          });
          codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(codes)).toEqual({ [ResponseCode.SUCCESS]: COUNT });

    const masterMax = (await brokerRuntimeInfo(mc)).get('commitLogMaxOffset');
    await waitFor('the slave to catch up', async () =>
      (await brokerRuntimeInfo(sc)).get('commitLogMaxOffset') === masterMax ? true : undefined,
    );
    const info = await brokerRuntimeInfo(mc);
    expect(info.get('haPush2SlaveMaxOffset')).toBe(masterMax);
    expect(info.get('haSlaves')).toMatch(/@\d+\/0$/);

    // the slave refuses sends, with RocketMQ's remark
    const refused = await sc.send(TOPIC, 'to the slave');
    expect(refused.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE);
    expect(refused.remark).toContain('messages are put to the slave');

    // metadata sync brings the topic over; then the slave serves the same messages at the same offsets
    await waitFor(
      'the topic on the slave',
      async () => {
        const r = await sc.invoke(RequestCode.GET_ALL_TOPIC_CONFIG);
        return r.body?.toString().includes(`"${TOPIC}"`) ? true : undefined;
      },
      20_000,
    );
    for (let q = 0; q < QUEUES; q++) {
      let offset = 0;
      for (let rounds = 0; offset < COUNT / QUEUES && rounds < 200; rounds++) {
        const a = await mc.pull('G', TOPIC, q, offset, { maxMsgNums: 32 });
        const b = await sc.pull('G', TOPIC, q, offset, { maxMsgNums: 32 });
        expect(b.code).toBe(ResponseCode.SUCCESS);
        expect(b.extFields.nextBeginOffset).toBe(a.extFields.nextBeginOffset);
        const ma = decodeMessages(a.body!);
        const mb = decodeMessages(b.body!);
        expect(mb.map((m) => m.queueOffset)).toEqual(ma.map((m) => m.queueOffset));
        expect(Buffer.concat(mb.map((m) => m.body)).equals(Buffer.concat(ma.map((m) => m.body)))).toBe(true);
        offset = Number(b.extFields.nextBeginOffset);
      }
      expect(offset).toBe(COUNT / QUEUES);
    }

    // CommitLogs byte-identical (the slave stopped, the master idle)
    expect(await slave.terminate()).toBe(0);
    const a = commitLog(masterDir.path);
    const b = commitLog(slaveDir.path);
    expect(a.size).toBeGreaterThanOrEqual(3); // rollover happened
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, bytes] of a) expect(b.get(name)!.equals(bytes), name).toBe(true);

    // no slave: SYNC_MASTER stores the message but answers SLAVE_NOT_AVAILABLE
    await waitFor('the master to drop the link', async () =>
      (await brokerRuntimeInfo(mc)).get('haConnectionCount') === '0' ? true : undefined,
    );
    const lonely = await mc.send(TOPIC, 'no slave');
    expect(lonely.code).toBe(ResponseCode.SLAVE_NOT_AVAILABLE);
  }, 120_000);
});
