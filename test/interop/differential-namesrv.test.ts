/**
 * Differential wire test, NameServer: every request code CometMQ's NameServer implements, as written and
 * with each header field missing or malformed, the body missing or broken, and in the ROCKETMQ header
 * encoding, sent to the reference 4.9.8 NameServer and to `cometmq namesrv`; answers compared field by
 * field (test/helpers/differential.ts). Every difference must be in ALLOWED with its reason
 * (docs/compatibility.md, "NameServer: differences we keep"); anything else fails.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RequestCode as RC } from '../../src/remoting/request-code.js';
import { type CometNamesrv, startCometNamesrv } from '../helpers/cometmq-namesrv.js';
import {
  type AllowedDifference,
  type Answer,
  ask,
  expand,
  formatVerdicts,
  judge,
  normaliseAnswer,
  type Verdict,
  type WireCase,
} from '../helpers/differential.js';
import {
  REFERENCE_HOME,
  type ReferenceServer,
  referenceAvailable,
  startReferenceNamesrv,
} from '../helpers/reference-processes.js';

const BROKER = { brokerName: 'diff-broker', brokerAddr: '127.0.0.1:20911', clusterName: 'DiffCluster' };
const topicConfig = (name: string) => ({
  topicName: name,
  readQueueNums: 4,
  writeQueueNums: 4,
  perm: 6,
  topicFilterType: 'SINGLE_TAG',
  topicSysFlag: 0,
  order: false,
});
const dataVersion = { timestamp: 1_700_000_000_000, counter: 2 };
const registerBody = JSON.stringify({
  topicConfigSerializeWrapper: {
    topicConfigTable: { DiffTopic: topicConfig('DiffTopic'), DiffOther: topicConfig('DiffOther') },
    dataVersion,
  },
  filterServerList: [],
});

const registerExt = { ...BROKER, haServerAddr: '127.0.0.1:20912', brokerId: 0, compressed: false };

const cases: WireCase[] = [
  { label: 'route of an unknown topic', code: RC.GET_ROUTEINFO_BY_TOPIC, ext: { topic: 'DiffTopic' } },
  // variants at the end: 4.9.8 registers a broker even without name, address or cluster, and those
  // null entries would show in every later route
  {
    label: 'register broker',
    code: RC.REGISTER_BROKER,
    ext: registerExt,
    body: registerBody,
    vary: [],
    varyBody: false,
  },
  {
    label: 'query data version',
    code: RC.QUERY_DATA_VERSION,
    ext: { ...BROKER, brokerId: 0 },
    body: JSON.stringify(dataVersion),
  },
  {
    label: 'route',
    code: RC.GET_ROUTEINFO_BY_TOPIC,
    ext: { topic: 'DiffTopic', acceptStandardJsonOnly: true },
  },
  { label: 'cluster info', code: RC.GET_BROKER_CLUSTER_INFO },
  { label: 'all topics', code: RC.GET_ALL_TOPIC_LIST_FROM_NAMESERVER },
  { label: 'topics by cluster', code: RC.GET_TOPICS_BY_CLUSTER, ext: { cluster: BROKER.clusterName } },
  { label: 'system topics', code: RC.GET_SYSTEM_TOPIC_LIST_FROM_NS },
  { label: 'unit topics', code: RC.GET_UNIT_TOPIC_LIST },
  { label: 'has unit sub topics', code: RC.GET_HAS_UNIT_SUB_TOPIC_LIST },
  { label: 'has unit sub un-unit topics', code: RC.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST },
  { label: 'put kv', code: RC.PUT_KV_CONFIG, ext: { namespace: 'DiffNs', key: 'k1', value: 'v1' } },
  { label: 'get kv', code: RC.GET_KV_CONFIG, ext: { namespace: 'DiffNs', key: 'k1' } },
  { label: 'get absent kv', code: RC.GET_KV_CONFIG, ext: { namespace: 'DiffNs', key: 'nope' } },
  { label: 'kv list', code: RC.GET_KVLIST_BY_NAMESPACE, ext: { namespace: 'DiffNs' } },
  { label: 'kv list of an unknown namespace', code: RC.GET_KVLIST_BY_NAMESPACE, ext: { namespace: 'NoNs' } },
  { label: 'delete kv', code: RC.DELETE_KV_CONFIG, ext: { namespace: 'DiffNs', key: 'k1' } },
  { label: 'wipe write perm', code: RC.WIPE_WRITE_PERM_OF_BROKER, ext: { brokerName: BROKER.brokerName } },
  { label: 'add write perm', code: RC.ADD_WRITE_PERM_OF_BROKER, ext: { brokerName: BROKER.brokerName } },
  { label: 'delete topic', code: RC.DELETE_TOPIC_IN_NAMESRV, ext: { topic: 'DiffOther' } },
  {
    label: 'update config',
    code: RC.UPDATE_NAMESRV_CONFIG,
    body: 'orderMessageEnable=false\n',
    varyBody: false,
  },
  {
    label: 'get config',
    code: RC.GET_NAMESRV_CONFIG,
    bodyMode: 'keys',
    // CometMQ's own keys (docs/compatibility.md: GET_NAMESRV_CONFIG body)
    dropKeys: ['bindAddress', 'brokerChannelExpiredTime', 'scanNotActiveBrokerInterval'],
  },
  {
    label: 'unregister broker',
    code: RC.UNREGISTER_BROKER,
    ext: { ...BROKER, brokerId: 0 },
  },
  { label: 'route after unregister', code: RC.GET_ROUTEINFO_BY_TOPIC, ext: { topic: 'DiffTopic' } },
  { label: 'register broker, field checks', code: RC.REGISTER_BROKER, ext: registerExt, body: registerBody },
  { label: 'unknown code', code: 9999 },
];

/** Every difference we keep, with the reason (docs/compatibility.md "NameServer: differences we keep"). */
const HEADER_CHECKS =
  'docs/compatibility.md: a required header field missing or not a number: CometMQ answers SYSTEM_ERROR "the custom field <f> is null" (or "is not a long") before anything changes; 4.9.8 varies (NullPointerException, TOPIC_NOT_EXIST, QUERY_NOT_FOUND, or SUCCESS with a null)';
const ALLOWED: AllowedDifference[] = [
  { label: / \/ (missing|malformed) \w+$/, field: /^code: cometmq=1 reference=/, why: HEADER_CHECKS },
  {
    label: / \/ (missing|malformed) \w+$/,
    field: /^remark: cometmq="the custom field <\w+> is (null|not an? \w+: .*)" reference=/,
    why: HEADER_CHECKS,
  },
  {
    label: / \/ (missing|malformed) \w+$/,
    field: /^(extKeys|body): cometmq=(\[\]|null) reference=/,
    why: HEADER_CHECKS,
  },
  {
    label: / \/ (no body|broken body)$/,
    field: /^remark: /,
    why: 'docs/compatibility.md: SYSTEM_ERROR remarks for unreadable bodies name the body, not a Java exception',
  },
  {
    label: /^unknown code/,
    field: /^code: cometmq=3 reference="none"$/,
    why: 'docs/compatibility.md: 4.9.8 never answers an unknown code; CometMQ answers REQUEST_CODE_NOT_SUPPORTED',
  },
];

describe.skipIf(!referenceAvailable())(
  'NameServer wire answers: CometMQ against Apache RocketMQ 4.9.8',
  () => {
    let ref: ReferenceServer;
    let ours: CometNamesrv;
    const sent = expand(cases);
    let verdicts: Verdict[] = [];
    const used = new Set<AllowedDifference>();

    beforeAll(async () => {
      // bin/rmq exports ROCKETMQ_HOME, which both report as rocketmqHome
      [ref, ours] = await Promise.all([
        startReferenceNamesrv(),
        startCometNamesrv({ env: { ...process.env, ROCKETMQ_HOME: REFERENCE_HOME } }),
      ]);
      const run = async (addr: string): Promise<Answer[]> => {
        const client = new RemotingClient();
        const names = new Map([[addr, '<namesrv>']]);
        try {
          const out: Answer[] = [];
          for (const c of sent) out.push(normaliseAnswer(await ask(client, addr, c), names));
          return out;
        } finally {
          await client.shutdown();
        }
      };
      const [a, b] = await Promise.all([run(ours.addr), run(ref.addr)]);
      verdicts = judge(sent, a, b, ALLOWED, used);
      const report = process.env.COMETMQ_DIFF_REPORT;
      if (report) writeFileSync(report, formatVerdicts(verdicts));
    }, 180_000);

    afterAll(async () => {
      const stale = ALLOWED.filter((a) => !used.has(a));
      if (stale.length > 0)
        console.info(
          `allow-list entries no longer needed:\n${stale.map((a) => `  ${a.label} ${a.field}: ${a.why}`).join('\n')}`,
        );
      await ours?.shutdown();
      await ref?.shutdown();
    });

    it.each(cases.map((c) => c.label))('%s', (label) => {
      const mine = verdicts.filter((v) => v.base === label);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.flatMap((v) => v.unexpected.map((d) => `${v.label}: ${d}`))).toEqual([]);
    });
  },
);
