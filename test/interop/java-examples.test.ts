/**
 * Apache RocketMQ 4.9.8's own example programs (org.apache.rocketmq.example.*, unmodified, run with the
 * reference's bin/example) against a cluster: CometMQ's NameServer and broker, and the reference's, to
 * prove the test itself right. Programs that never exit run until they printed what they should, or
 * a deadline; the test then checks what they printed (every message, and per-queue order where the
 * example orders) and, where a program prints nothing useful, what the broker holds.
 *
 * The examples hard-code their topics and groups, so the cases share one cluster per target and run in
 * order: OnewayProducer fills TopicTest with 100 messages, the orderly consumer reads them, the
 * quickstart producer adds 1,000 and every TopicTest consumer after that must see all 1,100. Examples
 * that call setNamesrvAddr("127.0.0.1:9876") reach the cluster through a forwarder on that port.
 * COMETMQ_INTEROP_TARGETS=cometmq|reference|both (default both).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cometmq-processes.js';
import { type InteropCluster, interopTargets, startInteropCluster } from '../helpers/interop-cluster.js';
import {
  javaErrors,
  type PrintedMessage,
  parseMessageExts,
  parseSendResults,
} from '../helpers/java-output.js';
import { runExample, startExample } from '../helpers/java-programs.js';
import { forwardPort, PortBusyError, type PortForward } from '../helpers/port-forward.js';
import { coverage, multiset, outOfOrder } from '../helpers/queue-coverage.js';
import { WireProbe } from '../helpers/wire-probe.js';

/**
 * Features CometMQ's broker does not have yet (issue 9): their cases are skipped against it, with this
 * reason (docs/compatibility.md lists them). Remove an entry when the feature lands.
 */
const NOT_BUILT: Partial<Record<'sql92' | 'schedule' | 'transaction' | 'rpc', string>> = {};
/** the case title, with the reason when it is skipped */
const titled = (title: string, reason: string | undefined): string =>
  reason === undefined ? title : `${title} [skipped against cometmq: ${reason}]`;

const FIXED_NAMESRV_PORT = 9876;
const BROKER_CONFIG = {
  // SqlFilterConsumer needs it ("Don't forget to set enablePropertyFilter=true in broker")
  enablePropertyFilter: true,
  // check half messages every 2 s instead of every 60 s, so TransactionProducer's checks come soon
  transactionCheckInterval: 2000,
  transactionTimeOut: 1000,
  // a cold JVM broker on two busy cores sheds sends queued > 200 ms; oneway sends would be lost silently
  waitTimeMillsInSendQueue: 3000,
};

const hello = (i: number): string => `Hello RocketMQ ${i}`;
const bodies = (msgs: { body: Buffer }[]): string[] => msgs.map((m) => m.body.toString());
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

let forward: PortForward | undefined;
let everBusy = false;

/**
 * The forwarder on 127.0.0.1:9876, bound on first need and kept for the file; when another process
 * holds the port, tried again for a few seconds (it may be a short-lived test server), then skipped
 * (later cases try once more, briefly).
 */
async function fixedPortForward(): Promise<PortForward | string> {
  const deadline = Date.now() + (everBusy ? 1000 : 10_000);
  while (forward === undefined) {
    try {
      forward = await forwardPort(FIXED_NAMESRV_PORT, '127.0.0.1:1');
    } catch (err) {
      if (!(err instanceof PortBusyError)) throw err;
      if (Date.now() > deadline) {
        everBusy = true;
        return `${err.message}: the examples that hard-code 127.0.0.1:9876 cannot be pointed at the cluster`;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return forward;
}

afterAll(async () => {
  await forward?.close();
});

describe.each(interopTargets())('RocketMQ 4.9.8 example programs against %s', (target) => {
  let cluster: InteropCluster;
  let probe: WireProbe;
  let home: { path: string; remove(): Promise<void> };
  /** bodies TopicTest holds, as the producers that ran so far sent them */
  const topicTest: string[] = [];

  const env = () => ({ namesrvAddr: cluster.namesrvAddr, dataDir: home.path });
  const notBuilt = (feature: keyof typeof NOT_BUILT): string | undefined =>
    target === 'cometmq' ? NOT_BUILT[feature] : undefined;
  const needsFixedPort = async (ctx: { skip: (note?: string) => never }): Promise<void> => {
    const f = await fixedPortForward();
    if (typeof f === 'string') ctx.skip(f);
    else f.setTarget(cluster.namesrvAddr);
  };
  /** Runs a consumer until it printed every message of TopicTest, returns what it printed. */
  const consumeAllTopicTest = async (className: string, timeoutMs = 60_000) => {
    const max = await probe.maxOffsets('TopicTest');
    const run = await runExample(className, {
      ...env(),
      timeoutMs,
      until: (out) => coverage(parseMessageExts(out), max).complete,
    });
    return { run, max, msgs: parseMessageExts(run.output) };
  };

  beforeAll(async () => {
    home = await tempDir(`interop-java-${target}-`);
    cluster = await startInteropCluster(target, { brokerConfig: BROKER_CONFIG });
    probe = new WireProbe(cluster.namesrvAddr, cluster.brokerAddr);
  }, 120_000);

  afterAll(async () => {
    await probe?.close();
    await cluster?.shutdown();
    await home?.remove();
  });

  it('simple.OnewayProducer (hard-coded localhost:9876) stores its 100 messages', async (ctx) => {
    await needsFixedPort(ctx);
    const run = await runExample('simple.OnewayProducer', { ...env(), timeoutMs: 40_000 });
    expect(javaErrors(run.output)).toEqual([]);
    expect(run.code).toBe(0);
    const max = await probe.waitForTotal('TopicTest', 100, 10_000);
    const stored = await probe.pullTopic('TopicTest');
    // what later TopicTest consumers must see, even if this case fails
    topicTest.push(...bodies(stored));
    expect(sum(max)).toBe(100);
    const sent = Array.from({ length: 100 }, (_, i) => hello(i));
    expect(multiset(bodies(stored))).toEqual(multiset(sent));
    expect(new Set(stored.map((m) => m.properties.TAGS))).toEqual(new Set(['TagA']));
  }, 60_000);

  it('ordermessage.Consumer consumes TopicTest orderly: every message, each queue in order', async () => {
    if (topicTest.length === 0) {
      // OnewayProducer did not run (9876 taken): the same 100 messages, sent over the wire
      for (let i = 0; i < 100; i++) await probe.send('TopicTest', hello(i), { queueId: i % 4, tags: 'TagA' });
      topicTest.push(...Array.from({ length: 100 }, (_, i) => hello(i)));
    }
    const max = await probe.maxOffsets('TopicTest');
    expect(sum(max)).toBe(topicTest.length);
    const run = await runExample('ordermessage.Consumer', {
      ...env(),
      timeoutMs: 60_000,
      until: (out) => coverage(parseMessageExts(out), max).complete,
    });
    const msgs = parseMessageExts(run.output);
    const cov = coverage(msgs, max);
    expect({ missing: cov.missing, unexpected: cov.unexpected }).toEqual({ missing: [], unexpected: [] });
    expect(outOfOrder(msgs)).toEqual([]);
    // it suspends a queue on every 5th (odd) call: those messages come again, with reconsumeTimes > 0
    expect(msgs.some((m) => m.reconsumeTimes > 0)).toBe(true);
    expect(run.output).toContain('Consumer Started.');
  }, 90_000);

  it('quickstart.Producer sends 1,000 messages, each SEND_OK at the next offset of its queue', async () => {
    const before = await probe.maxOffsets('TopicTest');
    const run = await runExample('quickstart.Producer', { ...env(), timeoutMs: 90_000 });
    expect(javaErrors(run.output)).toEqual([]);
    expect(run.code).toBe(0);
    const results = parseSendResults(run.output);
    topicTest.push(...results.map((_, i) => hello(i)));
    expect(results).toHaveLength(1000);
    const next = [...before];
    for (const r of results) {
      expect(r).toMatchObject({ sendStatus: 'SEND_OK', topic: 'TopicTest', brokerName: cluster.brokerName });
      expect(r.msgId).toMatch(/^[0-9A-F]{32,}$/);
      expect(r.offsetMsgId).toMatch(/^[0-9A-F]{32}$/);
      expect(r.queueOffset).toBe(next[r.queueId] ?? 0);
      next[r.queueId] = (next[r.queueId] ?? 0) + 1;
    }
    expect(await probe.maxOffsets('TopicTest')).toEqual(next);
  }, 120_000);

  it('quickstart.Consumer receives every message of TopicTest', async () => {
    const { run, max, msgs } = await consumeAllTopicTest('quickstart.Consumer');
    expect(sum(max)).toBe(topicTest.length);
    expect(run.output).toContain('Consumer Started.');
    expect(coverage(msgs, max)).toMatchObject({ complete: true, unexpected: [] });
    const once = [...new Map(msgs.map((m) => [`${m.queueId}:${m.queueOffset}`, m])).values()];
    expect(multiset(bodies(once))).toEqual(multiset(topicTest));
    for (const m of once) {
      expect(m).toMatchObject({ topic: 'TopicTest', brokerName: cluster.brokerName, reconsumeTimes: 0 });
      expect(m.properties).toMatchObject({ TAGS: 'TagA', CLUSTER: cluster.clusterName });
      expect(m.properties.UNIQ_KEY).toMatch(/^[0-9A-F]{32,}$/);
      expect(m.msgId).toMatch(/^[0-9A-F]{32}$/);
    }
  }, 90_000);

  it('broadcast.PushConsumer: two instances each receive every message', async () => {
    const max = await probe.maxOffsets('TopicTest');
    const done = (out: string): boolean => coverage(parseMessageExts(out), max).complete;
    const a = startExample('broadcast.PushConsumer', env());
    const b = startExample('broadcast.PushConsumer', env());
    try {
      await Promise.all([a.waitFor(done, 60_000), b.waitFor(done, 60_000)]);
      for (const p of [a, b]) {
        expect(p.output()).toContain('Broadcast Consumer Started.');
        const cov = coverage(parseMessageExts(p.output()), max);
        expect({ missing: cov.missing, unexpected: cov.unexpected }).toEqual({ missing: [], unexpected: [] });
      }
    } finally {
      await Promise.all([a.kill(), b.kill()]);
    }
  }, 90_000);

  it('simple.PullConsumer (hard-coded 127.0.0.1:9876) pulls everything and commits its offsets', async (ctx) => {
    await needsFixedPort(ctx);
    const max = await probe.maxOffsets('TopicTest');
    const group = 'please_rename_unique_group_name_5';
    const committed = async (): Promise<(number | undefined)[]> =>
      Promise.all(max.map((_, q) => probe.consumerOffset(group, 'TopicTest', q)));
    const p = startExample('simple.PullConsumer', env());
    let offsets: (number | undefined)[] = [];
    try {
      // it prints nothing while all is well; offsets reach the broker every 5 s (persistConsumerOffsetInterval)
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline && p.isRunning()) {
        offsets = await committed();
        if (offsets.every((o, q) => o === max[q])) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await p.kill();
    }
    expect(javaErrors(p.output())).toEqual([]);
    expect(offsets).toEqual(max);
  }, 60_000);

  it('simple.LitePullConsumerSubscribe polls every message of TopicTest', async () => {
    const { max, msgs } = await consumeAllTopicTest('simple.LitePullConsumerSubscribe');
    const cov = coverage(msgs, max);
    expect({ missing: cov.missing, unexpected: cov.unexpected }).toEqual({ missing: [], unexpected: [] });
    expect(outOfOrder(msgs)).toEqual([]);
  }, 90_000);

  /** The first offset of the last run of ascending offsets, in printed order. */
  const lastRunStart = (offsets: number[]): number => {
    let start = offsets[0]!;
    for (let i = 1; i < offsets.length; i++) if (offsets[i]! < offsets[i - 1]!) start = offsets[i]!;
    return start;
  };

  it('simple.LitePullConsumerAssign reads half the queues, the first from offset 10, and commits', async () => {
    const max = await probe.maxOffsets('TopicTest');
    const half = Math.floor(max.length / 2);
    /** the queues it read and where each started, once each is read to its end */
    const shape = (msgs: PrintedMessage[]): { queues: number[]; starts: number[] } | undefined => {
      const byQueue = new Map<number, number[]>();
      for (const m of msgs) byQueue.set(m.queueId, [...(byQueue.get(m.queueId) ?? []), m.queueOffset]);
      if (byQueue.size !== half) return undefined;
      const queues = [...byQueue.keys()].sort();
      // where each queue's last in-order run starts: after the seek race below (messages from the
      // group's offset printed first, then back to 10) that is the seek offset, as without the race
      const from = queues.map((q) => lastRunStart(byQueue.get(q)!));
      const fromArr: number[] = [];
      const maxArr: number[] = [];
      queues.forEach((q, i) => {
        fromArr[q] = from[i]!;
        maxArr[q] = max[q]!;
      });
      for (let q = 0; q < maxArr.length; q++) maxArr[q] ??= 0;
      return coverage(msgs, maxArr, fromArr).complete
        ? { queues, starts: from.sort((x, y) => x - y) }
        : undefined;
    };
    const group = 'please_rename_unique_group_name';
    const p = startExample('simple.LitePullConsumerAssign', env());
    let read: { queues: number[]; starts: number[] } | undefined;
    let offsets: (number | undefined)[] = [];
    try {
      await p.waitFor((out) => shape(parseMessageExts(out)) !== undefined, 60_000);
      read = shape(parseMessageExts(p.output()));
      // commitSync() updates the client's offset store; it reaches the broker within 5 s
      const deadline = Date.now() + 15_000;
      while (read && Date.now() < deadline) {
        offsets = await Promise.all(read.queues.map((q) => probe.consumerOffset(group, 'TopicTest', q)));
        if (offsets.every((o, i) => o === max[read!.queues[i]!])) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      await p.kill();
    }
    expect(javaErrors(p.output())).toEqual([]);
    // one queue seeked to 10; the other starts where a new group starts: 0 (messages still in memory)
    expect(read?.starts).toEqual(half === 2 ? [0, 10] : [...Array(half - 1).fill(0), 10]);
    // seek() races the pull task assign() started (4.9.8's DefaultLitePullConsumerImpl.seek cancels it
    // best-effort): that task's messages, from the group's committed offset, may print first, and the
    // queue then restarts at 10. One jump back to the seek offset is the client's; any other is a bug
    const inversions = outOfOrder(parseMessageExts(p.output()));
    expect(inversions.filter((s) => !/^queue \d+: 10 after \d+$/.test(s))).toEqual([]);
    expect(inversions.length).toBeLessThanOrEqual(1);
    expect(offsets).toEqual(read!.queues.map((q) => max[q]));
  }, 90_000);

  it('ordermessage.Producer sends 100 messages to the queue its selector picks, in order', async () => {
    const run = await runExample('ordermessage.Producer', { ...env(), timeoutMs: 60_000 });
    expect(javaErrors(run.output)).toEqual([]);
    expect(run.code).toBe(0);
    const results = parseSendResults(run.output);
    expect(results).toHaveLength(100);
    const queues = await probe.queueCount('TopicTestjjj');
    expect(queues).toBeGreaterThan(0);
    results.forEach((r, i) => {
      expect(r).toMatchObject({ sendStatus: 'SEND_OK', topic: 'TopicTestjjj', queueId: (i % 10) % queues });
    });
    // each queue holds its orders' messages in the order they were sent
    for (let q = 0; q < queues; q++) {
      const expected = results.flatMap((r, i) => (r.queueId === q ? [hello(i)] : []));
      const stored = await probe.pullQueue('TopicTestjjj', q);
      expect(bodies(stored)).toEqual(expected);
      expect(stored.map((m) => m.properties.KEYS)).toEqual(
        results.flatMap((r, i) => (r.queueId === q ? [`KEY${i}`] : [])),
      );
    }
  }, 90_000);

  it('simple.AsyncProducer: 100 asynchronous sends, each acknowledged once, all stored', async () => {
    const run = await runExample('simple.AsyncProducer', { ...env(), timeoutMs: 60_000 });
    expect(javaErrors(run.output)).toEqual([]);
    expect(run.code).toBe(0);
    const acked = [...run.output.matchAll(/^(\d+)\s+OK ([0-9A-F]+)\s*$/gm)].map((m) => Number(m[1]));
    expect(acked.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const stored = await probe.pullTopic('Jodie_topic_1023');
    expect(stored).toHaveLength(100);
    expect(
      stored.every((m) => m.body.toString() === 'Hello world' && m.properties.KEYS === 'OrderID188'),
    ).toBe(true);
  }, 90_000);

  it('batch.SimpleBatchProducer stores its batch of 3 in one queue, in order', async () => {
    const run = await runExample('batch.SimpleBatchProducer', {
      ...env(),
      timeoutMs: 30_000,
      until: (out) => /SendResult \[.*\]/.test(out),
    });
    expect(javaErrors(run.output)).toEqual([]);
    const [r] = parseSendResults(run.output);
    expect(r).toMatchObject({ sendStatus: 'SEND_OK', topic: 'BatchTest', queueOffset: 0 });
    const stored = await probe.pullQueue('BatchTest', r!.queueId);
    expect(bodies(stored)).toEqual(['Hello world 0', 'Hello world 1', 'Hello world 2']);
    expect(stored.map((m) => m.properties.KEYS)).toEqual(['OrderID001', 'OrderID002', 'OrderID003']);
    expect(stored.map((m) => m.properties.TAGS)).toEqual(['Tag', 'Tag', 'Tag']);
  }, 60_000);

  it('batch.SplitBatchProducer stores 100,000 messages in batches of up to 1 MB', async () => {
    const before = sum(await probe.maxOffsets('BatchTest'));
    const p = startExample('batch.SplitBatchProducer', env());
    let total = 0;
    try {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && p.isRunning()) {
        total = sum(await probe.maxOffsets('BatchTest')) - before;
        if (total >= 100_000) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      // the last batch's answer may still be on its way to the program
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await p.kill();
    }
    expect(javaErrors(p.output())).toEqual([]);
    expect(total).toBe(100_000);
    const results = parseSendResults(p.output());
    expect(results.length).toBeGreaterThan(1);
    expect(results.every((r) => r.sendStatus === 'SEND_OK' && r.topic === 'BatchTest')).toBe(true);
  }, 120_000);

  it('filter.TagFilterProducer and TagFilterConsumer: the consumer gets exactly TagA and TagC', async () => {
    const prod = await runExample('filter.TagFilterProducer', { ...env(), timeoutMs: 60_000 });
    expect(prod.code).toBe(0);
    const sent = parseSendResults(prod.output);
    expect(sent).toHaveLength(60);
    expect(sent.every((r) => r.sendStatus === 'SEND_OK')).toBe(true);
    // tags cycle TagA, TagB, TagC
    const wanted = new Set(sent.filter((_, i) => i % 3 !== 1).map((r) => r.msgId));
    const run = await runExample('filter.TagFilterConsumer', {
      ...env(),
      timeoutMs: 60_000,
      until: (out) => {
        const got = new Set(parseMessageExts(out).map((m) => m.properties.UNIQ_KEY));
        return [...wanted].every((id) => got.has(id));
      },
    });
    const msgs = parseMessageExts(run.output);
    expect(new Set(msgs.map((m) => m.properties.UNIQ_KEY))).toEqual(wanted);
    expect(new Set(msgs.map((m) => m.properties.TAGS))).toEqual(new Set(['TagA', 'TagC']));
  }, 120_000);

  it.skipIf(notBuilt('sql92'))(
    titled(
      'filter.SqlFilterProducer and SqlFilterConsumer (enablePropertyFilter): exactly a in 0..3 with TagA/TagB',
      notBuilt('sql92'),
    ),
    async () => {
      const prod = await runExample('filter.SqlFilterProducer', { ...env(), timeoutMs: 60_000 });
      expect(prod.code).toBe(0);
      expect(parseSendResults(prod.output).map((r) => r.sendStatus)).toEqual(Array(10).fill('SEND_OK'));
      // (TAGS in ('TagA', 'TagB')) and (a between 0 and 3), tags cycling TagA, TagB, TagC: 0, 1 and 3
      const wanted = [0, 1, 3].map(hello);
      const run = await runExample('filter.SqlFilterConsumer', {
        ...env(),
        timeoutMs: 45_000,
        until: (out) => wanted.every((w) => bodies(parseMessageExts(out)).includes(w)),
      });
      expect(javaErrors(run.output)).toEqual([]);
      expect([...new Set(bodies(parseMessageExts(run.output)))].sort()).toEqual(wanted);
    },
    120_000,
  );

  it.skipIf(notBuilt('schedule'))(
    titled(
      'schedule.ScheduledMessageProducer and Consumer: 100 messages, each delivered after level 3 (10 s)',
      notBuilt('schedule'),
    ),
    async () => {
      // the consumer runs first (as the example says), so its topic must exist for its route
      expect((await probe.createTopic('TestTopic', 4)).code).toBe(0);
      const received = (out: string) =>
        [...out.matchAll(/Receive message\[msgId=(\w+) /g)].map((m) => ({ id: m[1]!, index: m.index }));
      const cons = startExample('schedule.ScheduledMessageConsumer', env());
      try {
        expect(await probe.waitForConsumers('ExampleConsumer', 1, 30_000)).toBe(true);
        const prod = await runExample('schedule.ScheduledMessageProducer', { ...env(), timeoutMs: 60_000 });
        expect(prod.code).toBe(0);
        const sent = parseSendResults(prod.output);
        expect(sent.map((r) => r.sendStatus)).toEqual(Array(100).fill('SEND_OK'));
        await cons.waitFor((out) => {
          const got = new Set(received(out).map((r) => r.id));
          return sent.every((r) => got.has(r.msgId));
        }, 45_000);
        const got = received(cons.output());
        expect(new Set(got.map((r) => r.id))).toEqual(new Set(sent.map((r) => r.msgId)));
        // delay level 3 is 10 s after the store; a SendResult is printed right after it
        const sentAt = new Map(sent.map((r) => [r.msgId, prod.timeOf(r.end - 1)]));
        const early = got.filter((r) => cons.timeOf(r.index) - sentAt.get(r.id)! < 9000);
        expect(early).toEqual([]);
      } finally {
        await cons.kill();
      }
    },
    120_000,
  );

  it.skipIf(notBuilt('transaction'))(
    titled(
      'transaction.TransactionProducer: checked-back commits arrive, rollbacks and unknowns never',
      notBuilt('transaction'),
    ),
    async () => {
      const p = startExample('transaction.TransactionProducer', env());
      const committed = [1, 4, 7].map(hello);
      let stored: string[] = [];
      try {
        await p.waitFor((out) => parseSendResults(out).length >= 10, 60_000);
        // the listener answers UNKNOW first; the broker's check-back gets COMMIT for i % 3 == 1,
        // ROLLBACK for i % 3 == 2, UNKNOW again for the rest
        const deadline = Date.now() + 40_000;
        while (Date.now() < deadline && p.isRunning()) {
          stored = bodies(await probe.pullTopic('TopicTest1234'));
          if (committed.every((c) => stored.includes(c))) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        // a few more check rounds, to see nothing else arrives
        await new Promise((r) => setTimeout(r, 3 * BROKER_CONFIG.transactionCheckInterval));
        stored = bodies(await probe.pullTopic('TopicTest1234'));
      } finally {
        await p.kill();
      }
      const sent = parseSendResults(p.output());
      expect(sent.map((r) => r.sendStatus)).toEqual(Array(10).fill('SEND_OK'));
      expect(stored.sort()).toEqual(committed);
    },
    120_000,
  );

  it.skipIf(notBuilt('rpc'))(
    titled('rpc.ResponseConsumer answers rpc.RequestProducer and rpc.AsyncRequestProducer', notBuilt('rpc')),
    async (ctx) => {
      await needsFixedPort(ctx);
      // the responder subscribes before anything was sent: the topic must exist for its route
      expect((await probe.createTopic('RequestTopic', 4)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 500));
      const responder = startExample('rpc.ResponseConsumer', env());
      try {
        expect(await responder.waitFor((out) => out.includes('Consumer Started.'), 30_000)).toBe(true);
        expect(await probe.waitForConsumers('please_rename_unique_group_name', 1, 15_000)).toBe(true);
        const replyLine = /request to <RequestTopic> cost: \d+ replyMessage: (MessageExt \[.*\]) $/m;
        const sync = await runExample('rpc.RequestProducer', { ...env(), timeoutMs: 30_000 });
        expect(javaErrors(sync.output)).toEqual([]);
        const async = await runExample('rpc.AsyncRequestProducer', {
          ...env(),
          timeoutMs: 30_000,
          until: (out) => replyLine.test(out) || out.includes('fail.'),
        });
        for (const out of [sync.output, async.output]) {
          const m = replyLine.exec(out);
          expect(m, out).not.toBeNull();
          const [reply] = parseMessageExts(m![1]!);
          expect(reply?.topic).toBe(`${cluster.clusterName}_REPLY_TOPIC`);
          expect(reply?.body.toString()).toBe('reply message contents.');
        }
        expect(
          await responder.waitFor(
            (out) => (out.match(/reply to \S+ , SendResult/g) ?? []).length >= 2,
            10_000,
          ),
        ).toBe(true);
        expect(parseSendResults(responder.output()).map((r) => r.sendStatus)).toEqual(['SEND_OK', 'SEND_OK']);
      } finally {
        await responder.kill();
      }
    },
    120_000,
  );
});
