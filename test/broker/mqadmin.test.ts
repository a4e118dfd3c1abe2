/**
 * RocketMQ 4.9.8's own admin tool (bin/mqadmin, Java, fastjson) against `cometmq broker`: the commands
 * an operator reaches for first, reading our bodies with the reference's classes. Skipped without the
 * reference distribution.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { REFERENCE_HOME, referenceAvailable } from '../helpers/reference-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

let namesrv: RunningProcess;
let broker: RunningProcess;
let dir: { path: string; remove(): Promise<void> };
let c: BrokerTestClient;

function mqadmin(...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      join(REFERENCE_HOME, 'bin/mqadmin'),
      [...args, '-n', namesrv.addr],
      {
        env: { ...process.env, RMQ_DATA: dir.path, JAVA_OPT: '-Xms64m -Xmx128m' },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (_err, stdout, stderr) => resolve(`${stdout}${stderr}`),
    );
  });
}

describe.skipIf(!referenceAvailable())('mqadmin (RocketMQ 4.9.8) against cometmq broker', () => {
  beforeAll(async () => {
    dir = await tempDir('cometmq-mqadmin-');
    namesrv = await startNamesrv();
    broker = await startBroker({
      namesrvAddr: namesrv.addr,
      storePathRootDir: join(dir.path, 'store'),
      brokerName: 'broker-adm',
    });
    c = new BrokerTestClient(broker.addr);
    await c.createTopic('AdmT', 4);
    for (let i = 0; i < 8; i++)
      expect((await c.send('AdmT', `m${i}`, { queueId: i % 4, keys: `key-${i}` })).code).toBe(0);
    // a reset needs an offset for every queue (else 4.9.8 answers "THe consumer group <G> not exist")
    for (let q = 0; q < 4; q++) {
      const commitOffset = q === 0 ? 1 : 0;
      await c.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: 'G_ADM',
        topic: 'AdmT',
        queueId: q,
        commitOffset,
      });
    }
    expect((await c.heartbeat('127.0.0.1@adm', 'G_ADM', 'AdmT')).code).toBe(ResponseCode.SUCCESS);
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    await broker?.kill();
    await namesrv?.kill();
    await dir?.remove();
  });

  it('clusterList, brokerStatus, getBrokerConfig read the broker', async () => {
    const cluster = await mqadmin('clusterList');
    expect(cluster).toMatch(
      new RegExp(`DefaultCluster\\s+broker-adm\\s+0\\s+${broker.addr.replace(/\./g, '\\.')}\\s+V4_9_8`),
    );
    expect(cluster).not.toMatch(/null|Exception/);
    const status = await mqadmin('brokerStatus', '-b', broker.addr);
    expect(status).toMatch(/brokerVersionDesc\s*: V4_9_8/);
    expect(status).toMatch(/msgPutTotalTodayNow\s*: \d+/);
    const config = await mqadmin('getBrokerConfig', '-b', broker.addr);
    expect(config).toMatch(/brokerName\s+=\s+broker-adm/);
  }, 120_000);

  it('topicStatus, topicRoute, consumerProgress and consumerConnection read topics and groups', async () => {
    const topic = await mqadmin('topicStatus', '-t', 'AdmT');
    for (let q = 0; q < 4; q++) expect(topic).toMatch(new RegExp(`broker-adm\\s+${q}\\s+0\\s+2\\s`));
    const route = await mqadmin('topicRoute', '-t', 'AdmT');
    expect(route).toContain(broker.addr);
    const progress = await mqadmin('consumerProgress', '-g', 'G_ADM');
    expect(progress).toMatch(/AdmT\s+broker-adm\s+0\s+2\s+1\s+1\s/);
    expect(progress).toMatch(/Diff Total:\s+\d+/);
    const brokerStats = await mqadmin('brokerConsumeStats', '-b', broker.addr);
    expect(brokerStats).toMatch(/AdmT\s+G_ADM\s+broker-adm\s+0\s+2\s+1\s+1\s/);
    expect(brokerStats).toMatch(/Diff Total:\s+\d+/);
    const conn = await mqadmin('consumerConnection', '-g', 'G_ADM');
    expect(conn).toContain('127.0.0.1@adm');
    expect(conn).toMatch(/CONSUME_PASSIVELY/);
  }, 120_000);

  it('updateTopic, updateSubGroup, deleteSubGroup and resetOffsetByTime change the broker', async () => {
    expect(await mqadmin('updateTopic', '-b', broker.addr, '-t', 'AdmNewT', '-r', '3', '-w', '3')).toMatch(
      /success/,
    );
    const topics = JSON.parse(
      (await c.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body!.toString(),
    ).topicConfigTable;
    expect(topics.AdmNewT).toMatchObject({ readQueueNums: 3, writeQueueNums: 3 });
    expect(await mqadmin('updateSubGroup', '-b', broker.addr, '-g', 'G_NEW', '-r', '5')).toMatch(/success/);
    const groups = JSON.parse(
      (await c.invoke(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body!.toString(),
    );
    expect(groups.subscriptionGroupTable.G_NEW.retryMaxTimes).toBe(5);
    expect(await mqadmin('deleteSubGroup', '-b', broker.addr, '-g', 'G_NEW')).toMatch(/success/);
    // heartbeat again: on a loaded machine the JVM runs above can outlast the 120 s channel expiry
    expect((await c.heartbeat('127.0.0.1@adm', 'G_ADM', 'AdmT')).code).toBe(ResponseCode.SUCCESS);
    const reset = await mqadmin('resetOffsetByTime', '-g', 'G_ADM', '-t', 'AdmT', '-s', '0');
    // the group is online (heartbeat just sent), so the tool takes INVOKE_BROKER_TO_RESET_OFFSET
    // (printing "group[...]"), not its offline fallback ("consumerGroup[...]")
    expect(reset, reset).toMatch(/rollback consumer offset by specified group\[G_ADM\]/);
    for (let q = 0; q < 4; q++) expect(reset).toMatch(new RegExp(`broker-adm\\s+${q}\\s+0\\s`));
    expect(reset).not.toMatch(/Exception/);
  }, 120_000);
});
