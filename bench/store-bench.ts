/**
 * The store benchmark (`cometmq bench store`): appends `count` messages of `size` bytes in process,
 * `inflight` at a time, spread over `queues` queues of one topic, as the broker would hand them over
 * (properties with UNIQ_KEY, WAIT and TAGS; the unique key is indexed), then reads every queue back
 * from offset 0 through getMessage, 32 messages a call, all queues at once.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { rootLogger } from '../src/common/logger.js';
import type { MessageExtBrokerInner } from '../src/common/message.js';
import { encodeSocketAddress } from '../src/common/message-id.js';
import { tagsString2tagsCode } from '../src/common/tag-hash.js';
import { DefaultMessageStore } from '../src/store/default-message-store.js';
import { defaultMessageStoreConfig } from '../src/store/message-store-config.js';
import { cpuMicros, LatencyHistogram, round } from './bench-support.js';

export interface StoreBenchOptions {
  count: number;
  size: number;
  queues: number;
  flush: 'async' | 'sync';
  inflight: number;
  /** Store folder; a temporary one (removed afterwards) when absent. */
  dir?: string;
  /** Index the UNIQ_KEY of every message, as a broker does (default true). */
  index?: boolean;
}

export interface StoreBenchResult {
  count: number;
  size: number;
  queues: number;
  flush: 'async' | 'sync';
  inflight: number;
  msgsPerSec: number;
  mibPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  appendCpuUsPerMsg: number;
  readMsgsPerSec: number;
  readCpuUsPerMsg: number;
  rssMiB: number;
}

const TOPIC = 'BenchmarkTest';

/** Progress on stderr when it is a terminal, twice a second. */
function progress(line: () => string): () => void {
  if (!process.stderr.isTTY) return () => {};
  const t = setInterval(() => process.stderr.write(`\r${line()}\u001b[K`), 500);
  return () => {
    clearInterval(t);
    process.stderr.write('\r\u001b[K');
  };
}

export async function runStoreBench(o: StoreBenchOptions): Promise<StoreBenchResult> {
  // the JSON line must stay the only thing on stdout
  if (!process.env.COMETMQ_LOG_LEVEL) rootLogger.level = 'warn';
  const dir = o.dir ?? fs.mkdtempSync(join(tmpdir(), 'cometmq-bench-store-'));
  const config = {
    ...defaultMessageStoreConfig(),
    storePathRootDir: dir,
    flushDiskType: o.flush === 'sync' ? ('SYNC_FLUSH' as const) : ('ASYNC_FLUSH' as const),
    messageIndexEnable: o.index ?? true,
  };
  const store = new DefaultMessageStore(config, { storeHost: '127.0.0.1:10911' });
  try {
    await store.load();
    await store.start();
    const body = Buffer.alloc(o.size, 0x61);
    const bornHost = encodeSocketAddress('127.0.0.1:50000');
    const tagsCode = tagsString2tagsCode('TagA');
    const uniqPrefix = '7F0000010000'.padEnd(24, '0');
    // A ring of ready messages, as the broker hands them over after decoding a request: building them
    // is the network side's work, not the store's. Their unique keys repeat every RING messages. As
    // SendMessageProcessor does, WAIT is taken out of the properties into waitStoreMsgOK and a message
    // without DELAY says so (delayTimeLevel 0), so the store does not search the string again.
    const RING = 8192;
    const ring: MessageExtBrokerInner[] = [];
    for (let i = 0; i < RING; i++) {
      const uniqKey = uniqPrefix + i.toString(16).toUpperCase().padStart(8, '0');
      ring.push({
        topic: TOPIC,
        queueId: i % o.queues,
        flag: 0,
        body,
        propertiesString: `UNIQ_KEY\u0001${uniqKey}\u0002TAGS\u0001TagA`,
        waitStoreMsgOK: true,
        delayTimeLevel: 0,
        tagsCode,
        sysFlag: 0,
        bornTimestamp: Date.now(),
        bornHost,
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
        uniqKey,
        keys: '',
      });
    }
    const message = (i: number): MessageExtBrokerInner => ring[i % RING]!;

    // append
    const hist = new LatencyHistogram();
    let issued = 0;
    let done = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const stopProgress = progress(
      () => `append ${done}/${o.count}  ${Math.round(done / ((performance.now() - t0) / 1000))} msgs/s`,
    );
    await new Promise<void>((resolve, reject) => {
      const fire = (): void => {
        const i = issued++;
        const start = performance.now();
        store.putMessage(message(i)).then((r) => {
          if (r.status !== 'PUT_OK') return reject(new Error(`put ${i}: ${r.status} ${r.remark ?? ''}`));
          hist.record(performance.now() - start);
          done++;
          if (issued < o.count) fire();
          else if (done === o.count) resolve();
        }, reject);
      };
      for (let k = 0; k < Math.min(o.inflight, o.count); k++) fire();
    });
    const appendSecs = (performance.now() - t0) / 1000;
    const appendCpu = cpuMicros(cpu0);
    stopProgress();

    // read back
    let read = 0;
    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    const stopRead = progress(() => `read ${read}/${o.count}`);
    await Promise.all(
      Array.from({ length: o.queues }, async (_, q) => {
        const max = store.getMaxOffsetInQueue(TOPIC, q);
        for (let off = 0; off < max; ) {
          const g = await store.getMessage('bench', TOPIC, q, off, 32);
          if (g.status !== 'FOUND') throw new Error(`read queue ${q} at ${off}: ${g.status}`);
          read += g.messageCount;
          off = g.nextBeginOffset;
        }
      }),
    );
    const readSecs = (performance.now() - t1) / 1000;
    const readCpu = cpuMicros(cpu1);
    stopRead();
    if (read !== o.count) throw new Error(`read back ${read} of ${o.count} messages`);

    const msgsPerSec = o.count / appendSecs;
    return {
      count: o.count,
      size: o.size,
      queues: o.queues,
      flush: o.flush,
      inflight: o.inflight,
      msgsPerSec: Math.round(msgsPerSec),
      mibPerSec: round((msgsPerSec * o.size) / (1024 * 1024), 1),
      p50Ms: round(hist.percentile(50), 3),
      p99Ms: round(hist.percentile(99), 3),
      maxMs: round(hist.max, 3),
      appendCpuUsPerMsg: round(appendCpu / o.count, 2),
      readMsgsPerSec: Math.round(o.count / readSecs),
      readCpuUsPerMsg: round(readCpu / o.count, 2),
      // peak resident set of the whole run (getrusage maxrss, KiB)
      rssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await store.shutdown();
    if (!o.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
