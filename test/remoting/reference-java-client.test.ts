/**
 * The reference Java client (RocketMQ 4.9.8's mqadmin) against our RemotingServer: Java decodes our
 * responses in both serialize types (it picks its type from ROCKETMQ_SERIALIZE_TYPE), remark and
 * body included.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../src/common/lenient-json.js';
import type { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RemotingServer } from '../../src/remoting/remoting-server.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';

const MQADMIN = '/work/shared/reference/rocketmq-4.9.8/bin/mqadmin';

function runMqadmin(args: string[], env: Record<string, string>, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(MQADMIN, args, {
      env: { ...process.env, RMQ_DATA: dataDir, JAVA_OPT: '-Xms64m -Xmx128m', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`mqadmin timed out: ${out}`));
    }, 45_000);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe.skipIf(!existsSync(MQADMIN))('reference Java client (mqadmin) against RemotingServer', () => {
  const server = new RemotingServer({ host: '127.0.0.1', port: 0 });
  const seen: RemotingCommand[] = [];
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cometmq-ref-mqadmin-'));
    server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
      seen.push(req);
      const topic = req.extFields.topic ?? '';
      if (topic !== 'RouteTopic') {
        return req.createResponse(
          ResponseCode.TOPIC_NOT_EXIST,
          `No topic route info in name server for the topic: ${topic} é`,
        );
      }
      const route = {
        orderTopicConf: null,
        queueDatas: [{ brokerName: 'b1', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }],
        brokerDatas: [{ cluster: 'C1', brokerName: 'b1', brokerAddrs: new Map([[0, '10.0.0.1:10911']]) }],
        filterServerTable: {},
      };
      return req.createResponse(ResponseCode.SUCCESS, null, {}, Buffer.from(toJson(route)));
    });
    await server.start();
  });

  afterAll(async () => {
    await server.stop();
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  for (const type of ['JSON', 'ROCKETMQ'] as const) {
    it(`reads a route answered in ${type}`, async () => {
      const before = seen.length;
      const out = await runMqadmin(
        ['topicRoute', '-t', 'RouteTopic', '-n', `127.0.0.1:${server.port}`],
        { ROCKETMQ_SERIALIZE_TYPE: type },
        dataDir,
      );
      const requests = seen.slice(before);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.map((r) => r.serializeType)).toEqual(requests.map(() => (type === 'JSON' ? 0 : 1)));
      expect(out).toContain('"brokerName":"b1"');
      expect(out).toContain('10.0.0.1:10911');
    }, 60_000);
  }

  it('reads an error code and a non-ASCII remark answered in ROCKETMQ', async () => {
    const out = await runMqadmin(
      ['topicRoute', '-t', 'Missing', '-n', `127.0.0.1:${server.port}`],
      { ROCKETMQ_SERIALIZE_TYPE: 'ROCKETMQ' },
      dataDir,
    );
    expect(out).toContain('CODE: 17');
    expect(out).toContain('No topic route info in name server for the topic: Missing é');
  }, 60_000);
});
