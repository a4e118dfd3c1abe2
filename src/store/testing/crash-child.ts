/**
 * Child process of test/store/crash.test.ts: opens the store in `dir` with SYNC_FLUSH, reports
 * "READY <maxPhyOffset>", then appends until killed, printing one line per acknowledged message:
 * "A <queueId> <queueOffset> <commitLogOffset> <size> <bodyCRC>". Lines go to a pipe, which Node
 * writes synchronously on Linux: a printed acknowledgement was fsynced before it was printed.
 *
 * Usage: node dist/src/store/testing/crash-child.js <dir> <seed>
 */
import { randomBytes } from 'node:crypto';
import { crc32Masked } from '../../common/message-decoder.js';
import { DefaultMessageStore } from '../default-message-store.js';
import { crashTestConfig, makeMessage } from './store-fixture.js';

const INFLIGHT = 16;

async function main(): Promise<void> {
  const [dir, seed] = process.argv.slice(2);
  if (!dir || !seed) throw new Error('usage: crash-child <dir> <seed>');
  const store = new DefaultMessageStore(crashTestConfig(dir), { storeHost: '127.0.0.1:10911' });
  await store.load();
  await store.start();
  process.stdout.write(`READY ${store.getMaxPhyOffset()}\n`);
  let n = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = n++;
      const queueId = i % 4;
      const body = randomBytes(40 + ((i * 7919) % 1500));
      const r = await store.putMessage(
        makeMessage({ topic: 'CrashTest', queueId, body, keys: `k-${seed}-${i}` }),
      );
      if (r.status !== 'PUT_OK') throw new Error(`put failed: ${r.status} ${r.remark ?? ''}`);
      const a = r.result!;
      process.stdout.write(
        `A ${queueId} ${a.queueOffset} ${a.wroteOffset} ${a.wroteBytes} ${crc32Masked(body)}\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
