/**
 * SYNC_MASTER with a stalled slave, real processes: the slave is SIGSTOPped (its HA connection stays
 * open, nothing is acknowledged). As 4.9.8 (CommitLog.submitReplicaRequest, slaveTimeout): every send
 * is stored and answered FLUSH_SLAVE_TIMEOUT once the wait runs out, not refused as busy (4.9.8's
 * fast failure only cleans requests still queued for a send thread, and the replica wait holds none).
 * The slave resumes (SIGCONT): sends succeed again, and it has every message.
 */
import { describe, expect, it } from 'vitest';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { brokerRuntimeInfo } from '../broker/broker-test-client.js';
import { useMasterSlavePair } from '../broker/master-slave-pair.js';
import type { RunningProcess } from '../helpers/cometmq-processes.js';
import { waitUntil } from '../helpers/wait.js';

const TOPIC = 'StalledSlaveTopic';
const pair = useMasterSlavePair({
  dirPrefix: 'cometmq-stalled-',
  brokerName: 'stalled',
  masterRole: 'SYNC_MASTER',
  masterExtra: ['--slaveTimeout=2000'],
});

const waitFor = (what: string, fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> =>
  waitUntil(what, fn, timeoutMs);

describe('SYNC_MASTER with a stalled slave', () => {
  it('answers FLUSH_SLAVE_TIMEOUT for every send while the slave is stopped, SEND_OK once it resumes', async () => {
    try {
      await scenario();
    } catch (err) {
      // which process went away, if one did
      const tail = (p: RunningProcess) =>
        `(exit ${p.proc.exitCode} ${p.proc.signalCode}) ${p.output().slice(-1500)}`;
      throw new Error(`${(err as Error).message}\nmaster ${tail(pair.master)}\nslave ${tail(pair.slave)}`);
    }
  }, 60_000);
});

async function scenario(): Promise<void> {
  const { mc, sc, slave } = pair;
  expect((await mc.createTopic(TOPIC, 4)).code).toBe(ResponseCode.SUCCESS);
  await waitFor('the slave link', async () => (await brokerRuntimeInfo(mc)).get('haConnectionCount') === '1');
  expect((await mc.send(TOPIC, 'before', { queueId: 0 })).code).toBe(ResponseCode.SUCCESS);

  process.kill(slave.proc.pid!, 'SIGSTOP');
  const started = Date.now();
  const codes = new Map<number, number>();
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      // staggered, so that sends keep arriving while earlier ones wait for the slave
      await new Promise((r) => setTimeout(r, w * 250));
      for (let i = 0; i < 5; i++) {
        const r = await mc.send(TOPIC, `stalled ${w}-${i}`, { queueId: w % 4 });
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        if (Date.now() - started > 15_000) break; // below haHousekeepingInterval (20 s)
      }
    }),
  );
  const total = [...codes.values()].reduce((s, n) => s + n, 0);
  expect(Object.fromEntries(codes)).toEqual({ [ResponseCode.FLUSH_SLAVE_TIMEOUT]: total });

  process.kill(slave.proc.pid!, 'SIGCONT');
  await waitFor(
    'sends to succeed again',
    async () => (await mc.send(TOPIC, 'after', { queueId: 1 })).code === 0,
  );
  const masterMax = (await brokerRuntimeInfo(mc)).get('commitLogMaxOffset');
  await waitFor(
    'the slave to catch up',
    async () => (await brokerRuntimeInfo(sc)).get('commitLogMaxOffset') === masterMax,
  );
}
