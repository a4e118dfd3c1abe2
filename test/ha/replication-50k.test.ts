/**
 * Issue 6 at volume, with real processes: a NameServer, a SYNC_MASTER and its SLAVE (`cometmq broker`,
 * 16 MiB CommitLog files so the stream crosses file ends). 50,000 messages (48,000 from the producer
 * benchmark's light generator, 2,000 of varied sizes with keys); every send waits for the slave. Then
 * the slave serves every queue with the same bytes at the same queue offsets as the master, and the
 * CommitLog files (hashed as streams) are byte-identical.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProducerBench } from '../../bench/producer-bench.js';
import { decodeMessages } from '../../src/common/message-decoder.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { brokerRuntimeInfo } from '../broker/broker-test-client.js';
import { useMasterSlavePair } from '../broker/master-slave-pair.js';
import { waitUntil } from '../helpers/wait.js';

const TOPIC = 'Ha50kTopic';
const QUEUES = 8;
const GENERATED = 48_000;
const VARIED = 2_000;
const COUNT = GENERATED + VARIED;

const waitFor = (what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> =>
  waitUntil(what, fn, timeoutMs);

/** name -> size and sha256 of every CommitLog file, read as streams. */
async function commitLogDigests(root: string): Promise<Map<string, string>> {
  const dir = join(root, 'commitlog');
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
    out.set(name, `${(await stat(path)).size}:${hash.digest('hex')}`);
  }
  return out;
}

const pair = useMasterSlavePair({
  dirPrefix: 'cometmq-ha50k-',
  brokerName: 'ha50k',
  masterRole: 'SYNC_MASTER',
  // replication is what is tested: on a loaded shared machine the broker's fast failure (SYSTEM_BUSY
  // when a write stalls for 200 ms) would refuse sends that the generator does not retry
  common: [
    '--mappedFileSizeCommitLog=16777216',
    '--flushIntervalCommitLog=100',
    '--brokerFastFailureEnable=false',
    '--osPageCacheBusyTimeOutMills=10000',
  ],
  slaveExtra: ['--slaveReadEnable=true'],
});

describe('master and slave brokers at 50,000 messages', () => {
  it('every send waits for the slave; the slave serves the same bytes at the same queue offsets; CommitLogs byte-identical', async () => {
    const { mc, sc, namesrv, master, slave, masterDir, slaveDir } = pair;
    expect((await mc.createTopic(TOPIC, QUEUES)).code).toBe(ResponseCode.SUCCESS);
    await waitFor(
      'the slave link',
      async () => (await brokerRuntimeInfo(mc)).get('haConnectionCount') === '1',
    );

    // 2,000 of varied sizes (0..3,000 bytes), keys and tags: chunk and file boundaries fall anywhere
    let next = 0;
    const codes = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < VARIED) {
          const i = next++;
          const r = await mc.send(TOPIC, 'v'.repeat((i * 7919) % 3001), {
            queueId: i % QUEUES,
            keys: `k${i}`,
            tags: `t${i % 5}`,
          });
          codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(codes)).toEqual({ [ResponseCode.SUCCESS]: VARIED });

    // 48,000 from the light generator (1 KiB bodies, WAIT=true: each answered after the slave has it)
    const bench = await runProducerBench({
      namesrvAddr: namesrv.addr,
      topic: TOPIC,
      size: 1024,
      window: 256,
      count: GENERATED,
      connections: 2,
      queueNums: QUEUES,
      producerGroup: 'ha50k_producer',
    });
    expect(bench.failureCodes).toEqual({});
    expect(bench.acked).toBe(GENERATED);

    const masterMax = (await brokerRuntimeInfo(mc)).get('commitLogMaxOffset')!;
    expect(Number(masterMax)).toBeGreaterThan(3 * 16 * 1024 * 1024); // four CommitLog files
    // SYNC_MASTER: the last answer came after the slave acknowledged the last byte
    expect((await brokerRuntimeInfo(mc)).get('haPush2SlaveMaxOffset')).toBe(masterMax);
    await waitFor(
      'the slave to catch up',
      async () => (await brokerRuntimeInfo(sc)).get('commitLogMaxOffset') === masterMax,
    );
    await waitFor(
      'the topic on the slave (SlaveSynchronize)',
      async () =>
        (await sc.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body?.toString().includes(`"${TOPIC}"`) ?? false,
      20_000,
    );

    // every queue from offset 0 on both: same response bytes, consecutive queue offsets, all 50,000
    let total = 0;
    for (let q = 0; q < QUEUES; q++) {
      let offset = 0;
      for (let rounds = 0; rounds < 2 * COUNT; rounds++) {
        const a = await mc.pull('Ha50kCheck', TOPIC, q, offset, { maxMsgNums: 32 });
        const b = await sc.pull('Ha50kCheck', TOPIC, q, offset, { maxMsgNums: 32 });
        expect(a.code).toBe(b.code);
        if (a.code !== ResponseCode.SUCCESS) break;
        expect(b.extFields.nextBeginOffset).toBe(a.extFields.nextBeginOffset);
        expect(b.body!.equals(a.body!), `queue ${q} at ${offset}`).toBe(true);
        const msgs = decodeMessages(b.body!);
        expect(msgs.map((m) => m.queueOffset)).toEqual(msgs.map((_, i) => offset + i));
        total += msgs.length;
        offset = Number(b.extFields.nextBeginOffset);
      }
      const max = await sc.invoke(RequestCode.GET_MAX_OFFSET, { topic: TOPIC, queueId: q });
      expect(Number(max.extFields.offset)).toBe(offset);
    }
    expect(total).toBe(COUNT);

    // both stopped cleanly, then every CommitLog file compared by its streamed hash
    expect(await slave.terminate()).toBe(0);
    expect(await master.terminate()).toBe(0);
    const m = await commitLogDigests(masterDir.path);
    const s = await commitLogDigests(slaveDir.path);
    expect(m.size).toBeGreaterThanOrEqual(4);
    expect(s).toEqual(m);
  }, 90_000);
});
