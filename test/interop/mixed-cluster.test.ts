/**
 * Issue 10 item 4, mixed clusters: a CometMQ broker and a reference RocketMQ 4.9.8 broker register with
 * one NameServer (first ours, then the reference's) under the same brokerClusterName with different
 * brokerNames. One topic spans both; our SDK Producer and the reference's quickstart.Producer (the Java
 * client, unmodified) spread their messages over both; one PushConsumer group reads every message from
 * both brokers exactly as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLenientJson } from '../../src/common/lenient-json.js';
import { Message, type MessageExt, Producer, PushConsumer, type SendResult } from '../../src/index.js';
import { RequestCode as RC } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { cometmqBuilt } from '../helpers/interop-cluster.js';
import { javaErrors, parseSendResults } from '../helpers/java-output.js';
import { runExample } from '../helpers/java-programs.js';
import {
  type ReferenceServer,
  referenceAvailable,
  startReferenceBroker,
  startReferenceNamesrv,
} from '../helpers/reference-processes.js';
import { WireProbe } from '../helpers/wire-probe.js';

const CLUSTER = 'MixedCluster';
const COMET_BROKER = 'comet-broker';
const REF_BROKER = 'ref-broker';
const SDK_TOPIC = 'MixedTopic';
/** quickstart.Producer hard-codes its topic, tag and count */
const JAVA_TOPIC = 'TopicTest';
const JAVA_COUNT = 1000;
const SDK_COUNT = 200;
const QUEUES = 4;

const ready = referenceAvailable() && cometmqBuilt();
const skipReason = ready ? '' : ' [skipped: needs the reference (shared/reference) and `npm run build`]';

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cond()) await new Promise((r) => setTimeout(r, 100));
  return cond();
}

interface Stoppable {
  stop(): Promise<void>;
}

describe.skipIf(!ready)(`mixed cluster: a CometMQ and a reference broker${skipReason}`, () => {
  describe.each(['cometmq', 'reference'] as const)('registered with the %s NameServer', (nsKind) => {
    const stoppables: Stoppable[] = [];
    let namesrvAddr = '';
    let probe: WireProbe;
    let producer: Producer;
    let javaHome: { path: string; remove(): Promise<void> };
    const sdkResults: SendResult[] = [];

    beforeAll(async () => {
      const store = await tempDir('cometmq-mixed-store-');
      stoppables.push({ stop: () => store.remove() });
      javaHome = await tempDir('cometmq-mixed-java-');
      stoppables.push({ stop: () => javaHome.remove() });
      if (nsKind === 'cometmq') {
        const ns: RunningProcess = await startNamesrv();
        stoppables.push({ stop: () => ns.kill() });
        namesrvAddr = ns.addr;
      } else {
        const ns: ReferenceServer = await startReferenceNamesrv();
        stoppables.push({ stop: () => ns.shutdown() });
        namesrvAddr = ns.addr;
      }
      const [comet, ref] = await Promise.all([
        startBroker({
          namesrvAddr,
          storePathRootDir: store.path,
          brokerName: COMET_BROKER,
          extra: [`--brokerClusterName=${CLUSTER}`],
        }),
        startReferenceBroker({ namesrvAddr, brokerName: REF_BROKER, brokerClusterName: CLUSTER }),
      ]);
      stoppables.push({ stop: () => comet.kill() }, { stop: () => ref.shutdown() });
      probe = new WireProbe(namesrvAddr, comet.addr);
      stoppables.push({ stop: () => probe.close() });
      producer = new Producer({
        group: 'MixedProducer',
        namesrvAddr,
        instanceName: `mixed-${nsKind}`,
        // As DefaultMQProducer's default (ours is true): a cold JVM's first send can take over 550 ms,
        // which would keep the reference broker out of the rotation for 30 s and the spread uneven.
        sendLatencyFaultEnable: false,
      });
      await producer.start();
      stoppables.push({ stop: () => producer.shutdown() });
    }, 120_000);

    afterAll(async () => {
      for (const s of stoppables.reverse()) await s.stop().catch(() => undefined);
    }, 60_000);

    it('the NameServer lists both brokers in one cluster, and one topic created on both routes to 2 x 4 queues', async () => {
      const r = await probe.invoke(namesrvAddr, RC.GET_BROKER_CLUSTER_INFO);
      expect(r.code).toBe(ResponseCode.SUCCESS);
      const info = parseLenientJson(r.body!) as { clusterAddrTable: Record<string, string[]> };
      expect([...(info.clusterAddrTable[CLUSTER] ?? [])].sort()).toEqual([COMET_BROKER, REF_BROKER]);

      // createTopic sends UPDATE_AND_CREATE_TOPIC to every master of TBW102's route: both brokers
      for (const t of [SDK_TOPIC, JAVA_TOPIC]) await producer.createTopic('TBW102', t, QUEUES);
      for (const t of [SDK_TOPIC, JAVA_TOPIC]) {
        const route = await probe.invoke(namesrvAddr, RC.GET_ROUTEINFO_BY_TOPIC, { topic: t });
        expect(route.code).toBe(ResponseCode.SUCCESS);
        const body = parseLenientJson(route.body!) as {
          brokerDatas: { brokerName: string; cluster: string }[];
          queueDatas: { brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number }[];
        };
        expect(body.brokerDatas.map((b) => [b.brokerName, b.cluster]).sort()).toEqual([
          [COMET_BROKER, CLUSTER],
          [REF_BROKER, CLUSTER],
        ]);
        expect(
          body.queueDatas
            .map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        ).toEqual([
          [COMET_BROKER, QUEUES, QUEUES, 6],
          [REF_BROKER, QUEUES, QUEUES, 6],
        ]);
      }
    }, 30_000);

    it('our SDK Producer spreads messages over both brokers', async () => {
      for (let i = 0; i < SDK_COUNT; i++) {
        const r = await producer.send(
          new Message({ topic: SDK_TOPIC, body: `sdk-${i}`, tags: 'TagS', keys: `k${i}` }),
        );
        sdkResults.push(r);
      }
      expect(sdkResults.every((r) => r.status === 'SEND_OK')).toBe(true);
      const perBroker = new Map<string, number>();
      for (const r of sdkResults)
        perBroker.set(r.messageQueue.brokerName, (perBroker.get(r.messageQueue.brokerName) ?? 0) + 1);
      // round robin over the 8 queues of the route: half on each broker
      expect(Object.fromEntries(perBroker)).toEqual({
        [COMET_BROKER]: SDK_COUNT / 2,
        [REF_BROKER]: SDK_COUNT / 2,
      });
      // offsets within each queue follow each other from 0
      const byQueue = new Map<string, number[]>();
      for (const r of sdkResults) {
        const k = `${r.messageQueue.brokerName}:${r.messageQueue.queueId}`;
        byQueue.set(k, [...(byQueue.get(k) ?? []), r.queueOffset]);
      }
      expect(byQueue.size).toBe(2 * QUEUES);
      for (const offs of byQueue.values()) expect(offs).toEqual(offs.map((_, i) => i));
    }, 60_000);

    it('the Java client (quickstart.Producer) spreads its 1,000 messages over both brokers', async () => {
      const run = await runExample('quickstart.Producer', {
        namesrvAddr,
        dataDir: javaHome.path,
        timeoutMs: 90_000,
      });
      expect(javaErrors(run.output)).toEqual([]);
      expect(run.code).toBe(0);
      const results = parseSendResults(run.output);
      expect(results).toHaveLength(JAVA_COUNT);
      expect(results.every((r) => r.sendStatus === 'SEND_OK' && r.topic === JAVA_TOPIC)).toBe(true);
      const perBroker = new Map<string, number>();
      for (const r of results) perBroker.set(r.brokerName, (perBroker.get(r.brokerName) ?? 0) + 1);
      expect([...perBroker.keys()].sort()).toEqual([COMET_BROKER, REF_BROKER]);
      expect(perBroker.get(COMET_BROKER)).toBe(JAVA_COUNT / 2);
      // the broker's own counters agree with what the Java client was told
      const cometMax = await probe.maxOffsets(JAVA_TOPIC);
      expect(cometMax.reduce((a, b) => a + b, 0)).toBe(JAVA_COUNT / 2);
    }, 120_000);

    it('one PushConsumer group reads every message of both topics from both brokers', async () => {
      const seen = new Map<string, MessageExt>();
      let deliveries = 0;
      const consumer = new PushConsumer({
        group: 'MixedConsumerGroup',
        namesrvAddr,
        instanceName: `mixed-consumer-${nsKind}`,
        consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      });
      consumer.subscribe(SDK_TOPIC, '*');
      consumer.subscribe(JAVA_TOPIC, '*');
      consumer.registerMessageListener(async (msgs) => {
        for (const m of msgs) {
          deliveries++;
          seen.set(m.msgId, m);
        }
        return 'CONSUME_SUCCESS';
      });
      await consumer.start();
      try {
        const total = SDK_COUNT + JAVA_COUNT;
        await waitFor(() => seen.size >= total, 60_000);
        await new Promise((r) => setTimeout(r, 500)); // late duplicates would show up here
        expect(seen.size).toBe(total);
        expect(deliveries).toBe(total);
        expect(
          consumer
            .assignedMessageQueues()
            // the group's %RETRY% topic joins the route whenever each broker registers it: not checked
            .filter((q) => !q.topic.startsWith('%RETRY%'))
            .map((q) => `${q.topic}/${q.brokerName}`)
            .filter((v, i, a) => a.indexOf(v) === i)
            .sort(),
        ).toEqual(
          [
            `${SDK_TOPIC}/${COMET_BROKER}`,
            `${SDK_TOPIC}/${REF_BROKER}`,
            `${JAVA_TOPIC}/${COMET_BROKER}`,
            `${JAVA_TOPIC}/${REF_BROKER}`,
          ].sort(),
        );
        const all = [...seen.values()];
        // our SDK's messages: body, tag, key and the broker/queue/offset the send reported
        for (const r of sdkResults) {
          const m = seen.get(r.msgId);
          expect(m, r.msgId).toBeDefined();
          expect({
            broker: m!.brokerName,
            queueId: m!.queueId,
            queueOffset: m!.queueOffset,
            topic: m!.topic,
          }).toEqual({
            broker: r.messageQueue.brokerName,
            queueId: r.messageQueue.queueId,
            queueOffset: r.queueOffset,
            topic: SDK_TOPIC,
          });
        }
        const sdkMsgs = all.filter((m) => m.topic === SDK_TOPIC);
        expect(new Set(sdkMsgs.map((m) => m.bodyText()))).toEqual(
          new Set(sdkResults.map((_, i) => `sdk-${i}`)),
        );
        expect(sdkMsgs.filter((m) => m.tags !== 'TagS' || m.keys !== `k${m.bodyText().slice(4)}`)).toEqual(
          [],
        );
        const javaMsgs = all.filter((m) => m.topic === JAVA_TOPIC);
        expect(new Set(javaMsgs.map((m) => m.bodyText()))).toEqual(
          new Set(Array.from({ length: JAVA_COUNT }, (_, i) => `Hello RocketMQ ${i}`)),
        );
        expect(javaMsgs.filter((m) => m.tags !== 'TagA')).toEqual([]);
        const byBroker = (b: string): number => all.filter((m) => m.brokerName === b).length;
        expect(byBroker(COMET_BROKER)).toBe(total / 2);
        expect(byBroker(REF_BROKER)).toBe(total / 2);
        // each broker made the group's retry topic on its heartbeat and announced it: both in its route
        const retryBrokers = async (): Promise<string[]> => {
          const r = await probe.invoke(namesrvAddr, RC.GET_ROUTEINFO_BY_TOPIC, {
            topic: '%RETRY%MixedConsumerGroup',
          });
          if (r.code !== ResponseCode.SUCCESS || !r.body) return [];
          const route = parseLenientJson(r.body) as { queueDatas: { brokerName: string }[] };
          return route.queueDatas.map((q) => q.brokerName).sort();
        };
        const deadline = Date.now() + 10_000;
        let brokers = await retryBrokers();
        while (brokers.length < 2 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          brokers = await retryBrokers();
        }
        expect(brokers).toEqual([COMET_BROKER, REF_BROKER]);
      } finally {
        await consumer.shutdown();
      }
    }, 90_000);
  });
});
