/**
 * Apache RocketMQ 4.9.8's mqadmin against CometMQ: one scenario (topics, messages, groups, offsets, a
 * client connection) run against a CometMQ cluster and against the reference cluster side by side, each
 * subcommand's output reduced to its shape (timestamps, addresses, ids, numbers normalised; key/value
 * listings to their keys) and compared line set against line set. Expected differences are listed in
 * ALLOWED below, per subcommand; anything else fails. A few subcommands also get a functional check
 * (updateBrokerConfig is seen by getBrokerConfig, deleteTopic empties the route...).
 * COMETMQ_MQADMIN_DUMP=dir writes every raw output there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cometmq-processes.js';
import { type InteropCluster, interopTargets, startInteropCluster } from '../helpers/interop-cluster.js';
import { runMqadmin } from '../helpers/java-programs.js';
import { WireProbe } from '../helpers/wire-probe.js';

const TOPIC = 'MqadminTopic';
const GROUP = 'MqadminGroup';
const ONLINE_GROUP = 'MqadminOnlineGroup';
const PRODUCER_GROUP = 'MqadminProducerGroup';

interface Step {
  /** unique name; the subcommand comes first */
  name: string;
  args: (c: InteropCluster, s: ScenarioState) => string[];
  /** how the output is reduced before comparing (default: normalised lines) */
  shape?: (out: string) => string[];
}

interface ScenarioState {
  offsetMsgId: string;
}

/** Reduces text to what must not depend on the server: times, addresses, ids and numbers are normalised. */
export function normaliseLine(line: string): string {
  return line
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(,\d{3})?/g, '<time>')
    .replace(/\/?\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d+)?/g, '<addr>')
    .replace(/\b[0-9A-F]{32,}\b/g, '<id>')
    .replace(/<addr>@[\w#.-]+/g, '<client>')
    .replace(/-?\b\d+(\.\d+)?(E-?\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

const lines = (out: string): string[] => [
  ...new Set(
    out
      .split('\n')
      .map(normaliseLine)
      .filter((l) => l !== ''),
  ),
];
/** `key = value` / `key : value` listings, reduced to their keys */
const keysOf =
  (sep: RegExp) =>
  (out: string): string[] => [
    ...new Set(
      out
        .split('\n')
        .map((l) => sep.exec(l)?.[1])
        .filter((k): k is string => k !== undefined),
    ),
  ];

const steps: Step[] = [
  { name: 'clusterList', args: (c) => ['clusterList', '-n', c.namesrvAddr] },
  {
    name: 'updateTopic',
    args: (c) => ['updateTopic', '-n', c.namesrvAddr, '-c', c.clusterName, '-t', TOPIC, '-r', '4', '-w', '4'],
  },
  { name: 'topicList', args: (c) => ['topicList', '-n', c.namesrvAddr] },
  { name: 'topicList -c', args: (c) => ['topicList', '-n', c.namesrvAddr, '-c'] },
  { name: 'topicRoute', args: (c) => ['topicRoute', '-n', c.namesrvAddr, '-t', TOPIC] },
  { name: 'topicStatus', args: (c) => ['topicStatus', '-n', c.namesrvAddr, '-t', TOPIC] },
  {
    name: 'updateSubGroup',
    args: (c) => ['updateSubGroup', '-n', c.namesrvAddr, '-c', c.clusterName, '-g', GROUP],
  },
  { name: 'consumerProgress', args: (c) => ['consumerProgress', '-n', c.namesrvAddr] },
  {
    name: 'consumerProgress -g',
    args: (c) => ['consumerProgress', '-n', c.namesrvAddr, '-g', ONLINE_GROUP],
  },
  {
    name: 'consumerConnection',
    args: (c) => ['consumerConnection', '-n', c.namesrvAddr, '-g', ONLINE_GROUP],
  },
  {
    name: 'producerConnection',
    args: (c) => ['producerConnection', '-n', c.namesrvAddr, '-g', PRODUCER_GROUP, '-t', TOPIC],
  },
  {
    name: 'brokerStatus',
    args: (c) => ['brokerStatus', '-n', c.namesrvAddr, '-b', c.brokerAddr],
    shape: keysOf(/^(\w+)\s*:/),
  },
  {
    name: 'getBrokerConfig',
    args: (c) => ['getBrokerConfig', '-n', c.namesrvAddr, '-b', c.brokerAddr],
    shape: keysOf(/^(\w+)\s*=/),
  },
  {
    name: 'updateBrokerConfig',
    args: (c) => [
      'updateBrokerConfig',
      '-n',
      c.namesrvAddr,
      '-b',
      c.brokerAddr,
      '-k',
      'fileReservedTime',
      '-v',
      '48',
    ],
  },
  {
    name: 'getBrokerConfig after update',
    args: (c) => ['getBrokerConfig', '-n', c.namesrvAddr, '-b', c.brokerAddr],
    shape: (out) =>
      out
        .split('\n')
        .filter((l) => /^fileReservedTime\s*=/.test(l))
        .map(normaliseLine),
  },
  { name: 'queryMsgById', args: (c, s) => ['queryMsgById', '-n', c.namesrvAddr, '-i', s.offsetMsgId] },
  {
    name: 'queryMsgByKey',
    args: (c) => ['queryMsgByKey', '-n', c.namesrvAddr, '-t', TOPIC, '-k', 'mqadmin-key-3'],
  },
  {
    name: 'queryMsgByOffset',
    args: (c) => [
      'queryMsgByOffset',
      '-n',
      c.namesrvAddr,
      '-t',
      TOPIC,
      '-b',
      c.brokerName,
      '-i',
      '1',
      '-o',
      '0',
    ],
  },
  {
    name: 'resetOffsetByTime',
    args: (c) => ['resetOffsetByTime', '-n', c.namesrvAddr, '-g', GROUP, '-t', TOPIC, '-s', '0'],
  },
  { name: 'statsAll', args: (c) => ['statsAll', '-n', c.namesrvAddr, '-t', TOPIC] },
  {
    name: 'deleteSubGroup',
    args: (c) => ['deleteSubGroup', '-n', c.namesrvAddr, '-c', c.clusterName, '-g', GROUP],
  },
  {
    name: 'deleteTopic',
    args: (c) => ['deleteTopic', '-n', c.namesrvAddr, '-c', c.clusterName, '-t', TOPIC],
  },
  { name: 'topicRoute after delete', args: (c) => ['topicRoute', '-n', c.namesrvAddr, '-t', TOPIC] },
];

interface Difference {
  /** `-`: a line only the reference prints; `+`: a line only CometMQ prints (after normalisation) */
  only: '-' | '+';
  line: RegExp;
}

/** A key-shape line (brokerStatus, getBrokerConfig) that is one of `keys`. */
const oneOf = (keys: string[]): RegExp => new RegExp(`^(${keys.join('|')})$`);

/** Differences we keep, per step, each with its reason. */
const ALLOWED: Record<string, (Difference & { why: string })[]> = {
  brokerStatus: [
    {
      only: '-',
      line: oneOf(['remainTransientStoreBufferNumbs']),
      why: 'CometMQ has no transient store pool (no off-heap write buffers: writes go straight to the file)',
    },
    {
      only: '+',
      line: oneOf([
        'brokerRole',
        'haConnectionCount',
        'haMaxSlaveBehindBytes',
        'haPush2SlaveMaxOffset',
        'haSlaveFallBehindBytes',
        'haSlaves',
      ]),
      why: 'CometMQ adds its role and HA state to its runtime info (tools ignore keys they do not read)',
    },
  ],
  getBrokerConfig: [
    {
      only: '+',
      line: oneOf([
        'bindAddress',
        'frameMaxLength',
        'networkWorkerEnable',
        'commitLogWriteWorkerEnable',
        'commitLogWarmAheadBytes',
        'commitLogDropBehindBytes',
      ]),
      why: "CometMQ's own keys (docs/configuration.md)",
    },
    {
      only: '+',
      line: oneOf([
        'timerWheelEnable',
        'timerMaxDelaySec',
        'timerPrecisionMs',
        'timerRollWindowSlot',
        'timerFlushIntervalMs',
        'mappedFileSizeTimerLog',
        'timerWheelSlots',
      ]),
      why: 'timer messages (TIMER_DELIVER_MS): RocketMQ 5 keys, which 4.9.8 does not have',
    },
  ],
};

/**
 * Differences that are CometMQ gaps or bugs (/work/notes/interop-findings.md, docs/compatibility.md). The
 * shape tests tolerate them; each has its own test asserting it is gone, skipped unless
 * COMETMQ_INTEROP_STRICT=1 (so the suite stays green while the broker catches up, and never silently).
 */
const KNOWN: { id: string; title: string; diffs: (Difference & { step: string })[] }[] = [];

const STRICT = process.env.COMETMQ_INTEROP_STRICT === '1';

interface ScenarioRun {
  outputs: Map<string, string>;
  codes: Map<string, number | null>;
}

async function runScenario(c: InteropCluster, dataDir: string): Promise<ScenarioRun> {
  const probe = new WireProbe(c.namesrvAddr, c.brokerAddr);
  const outputs = new Map<string, string>();
  const codes = new Map<string, number | null>();
  const state: ScenarioState = { offsetMsgId: '' };
  try {
    for (const step of steps) {
      if (step.name === 'topicStatus') {
        // ten messages over the four queues, keyed, so the query subcommands find something
        for (let i = 0; i < 10; i++) {
          const r = await probe.send(TOPIC, `mqadmin ${i}`, {
            queueId: i % 4,
            tags: 'TagA',
            keys: `mqadmin-key-${i}`,
          });
          if (i === 1) state.offsetMsgId = r.msgId ?? '';
        }
      }
      if (step.name === 'consumerProgress') {
        for (let q = 0; q < 4; q++) {
          await probe.updateConsumerOffset(GROUP, TOPIC, q, 1);
          await probe.updateConsumerOffset(ONLINE_GROUP, TOPIC, q, q % 2);
        }
        // an online client: a producer group and a consumer group on this connection
        await probe.heartbeat('127.0.0.1@mqadmin-test', PRODUCER_GROUP, ONLINE_GROUP, TOPIC);
      }
      const r = await runMqadmin(step.args(c, state), { dataDir, timeoutMs: 60_000 });
      outputs.set(step.name, r.output);
      codes.set(step.name, r.code);
    }
  } finally {
    await probe.close();
  }
  return { outputs, codes };
}

const targets = interopTargets();

describe.skipIf(!(targets.includes('cometmq') && targets.includes('reference')))(
  'mqadmin (RocketMQ 4.9.8) against CometMQ and the reference: same output shapes',
  () => {
    const clusters: InteropCluster[] = [];
    const runs = new Map<string, ScenarioRun>();
    let home: { path: string; remove(): Promise<void> };

    beforeAll(async () => {
      home = await tempDir('interop-mqadmin-');
      const [ours, theirs] = await Promise.all([
        startInteropCluster('cometmq'),
        startInteropCluster('reference'),
      ]);
      clusters.push(ours, theirs);
      // both scenarios at once: two light JVMs at a time
      const [a, b] = await Promise.all([
        runScenario(ours, join(home.path, 'cometmq')),
        runScenario(theirs, join(home.path, 'reference')),
      ]);
      runs.set('cometmq', a);
      runs.set('reference', b);
      const dump = process.env.COMETMQ_MQADMIN_DUMP;
      if (dump) {
        for (const [target, run] of runs) {
          mkdirSync(join(dump, target), { recursive: true });
          for (const [name, out] of run.outputs)
            writeFileSync(join(dump, target, `${name.replace(/ /g, '_')}.txt`), out);
        }
      }
    }, 300_000);

    afterAll(async () => {
      await Promise.all(clusters.map((c) => c.shutdown()));
      await home?.remove();
      // queryMsgById/ByOffset save each body to /tmp/rocketmq/msgbodys/<offsetMsgId>: remove ours
      for (const run of runs.values()) {
        for (const out of run.outputs.values()) {
          for (const m of out.matchAll(/^Message Body Path:\s+(\/tmp\/rocketmq\/msgbodys\/[0-9A-F]+)$/gm)) {
            await rm(m[1]!, { force: true });
          }
        }
      }
    });

    it.each(['cometmq', 'reference'])('updateBrokerConfig is seen by getBrokerConfig (%s)', (target) => {
      const out = runs.get(target)!.outputs.get('getBrokerConfig after update') ?? '';
      expect(out).toMatch(/^fileReservedTime\s*=\s*48\s*$/m);
    });

    // formerly F8: the commitlog folder exists from the start (4.9.8 creates it with the store), so
    // clusterList's #SPACE is a ratio on a fresh broker, not -1.0000
    it.each(['reference', 'cometmq'])(
      'clusterList #SPACE of a fresh broker is a ratio, not -1 (%s)',
      (target) => {
        const row = (runs.get(target)!.outputs.get('clusterList') ?? '').split('\n')[1] ?? '';
        const space = Number(row.trim().split(/\s+/).at(-1));
        expect(space).toBeGreaterThanOrEqual(0);
        expect(space).toBeLessThanOrEqual(1);
      },
    );

    it.each(['cometmq', 'reference'])('the query subcommands found the message (%s)', (target) => {
      const run = runs.get(target)!;
      for (const name of ['queryMsgById', 'queryMsgByOffset']) {
        expect(run.outputs.get(name)).toMatch(/^Keys:\s+\[mqadmin-key-1\]$/m);
      }
      expect(run.outputs.get('queryMsgByKey')).toMatch(/^[0-9A-F]{32}\s+3\s+0$/m);
    });

    /** lines of the step's shape only one side printed */
    const differences = (name: string): { only: '-' | '+'; line: string }[] => {
      const step = steps.find((s) => s.name === name)!;
      const shape = step.shape ?? lines;
      const ours = shape(runs.get('cometmq')!.outputs.get(name) ?? '');
      const theirs = shape(runs.get('reference')!.outputs.get(name) ?? '');
      return [
        ...theirs.filter((l) => !ours.includes(l)).map((l) => ({ only: '-' as const, line: l })),
        ...ours.filter((l) => !theirs.includes(l)).map((l) => ({ only: '+' as const, line: l })),
      ];
    };
    const matches = (d: { only: string; line: string }, a: Difference): boolean =>
      a.only === d.only && a.line.test(d.line);

    it.each(steps.map((s) => s.name))('%s', (name) => {
      const tolerated = [
        ...(ALLOWED[name] ?? []),
        ...KNOWN.flatMap((k) => k.diffs.filter((d) => d.step === name)),
      ];
      const unexpected = differences(name)
        .filter((d) => !tolerated.some((a) => matches(d, a)))
        .map((d) => `${d.only} ${d.line}`);
      expect(unexpected).toEqual([]);
      expect(runs.get('cometmq')!.codes.get(name)).toBe(runs.get('reference')!.codes.get(name));
    });

    // (none open at the moment: the table stays for the next gap found)
    if (KNOWN.length > 0)
      it.skipIf(!STRICT).each(KNOWN.map((k) => [k.id, k.title] as const))(
        'known difference %s is gone: %s (runs with COMETMQ_INTEROP_STRICT=1)',
        (id) => {
          const known = KNOWN.find((k) => k.id === id)!;
          const still = known.diffs.flatMap((a) =>
            differences(a.step)
              .filter((d) => matches(d, a))
              .map((d) => `${a.step}: ${d.only} ${d.line}`),
          );
          expect(still).toEqual([]);
        },
      );
  },
);
