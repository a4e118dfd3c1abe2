/**
 * Our RemotingClient against the reference Apache RocketMQ 4.9.8 NameServer (a real Java process):
 * both serialize types are understood by Java and answered in kind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLenientJson } from '../../src/common/lenient-json.js';
import { RemotingTimeoutError } from '../../src/remoting/errors.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand, type SerializeType } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';

const MQNAMESRV = '/work/shared/reference/rocketmq-4.9.8/bin/mqnamesrv';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!existsSync(MQNAMESRV))('reference RocketMQ 4.9.8 NameServer', () => {
  let proc: ChildProcess | undefined;
  let dataDir = '';
  let addr = '';
  const client = new RemotingClient({ connectTimeoutMs: 1000 });
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cometmq-ref-namesrv-'));
    const port = await freePort();
    addr = `127.0.0.1:${port}`;
    proc = spawn(MQNAMESRV, ['-p', String(port)], {
      env: { ...process.env, RMQ_DATA: dataDir, JAVA_OPT: '-Xms128m -Xmx128m -Xmn64m' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    // Poll until it answers (start-up takes a few seconds), bounded by count and time.
    const deadline = Date.now() + 50_000;
    for (let attempt = 0; attempt < 500 && Date.now() < deadline; attempt++) {
      if (proc.exitCode !== null) throw new Error(`mqnamesrv exited: ${output}`);
      try {
        await client.invokeSync(addr, RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO), 1000);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`mqnamesrv did not come up: ${output}`);
  }, 60_000);

  afterAll(async () => {
    await client.shutdown();
    if (proc?.pid !== undefined && proc.exitCode === null) {
      const exited = new Promise<void>((resolve) => proc?.once('exit', () => resolve()));
      process.kill(proc.pid, 'SIGKILL');
      await exited;
    }
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  for (const [name, type] of [
    ['JSON', 0],
    ['ROCKETMQ', 1],
  ] as const) {
    it(`answers GET_BROKER_CLUSTER_INFO in ${name}`, async () => {
      const request = RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO);
      request.serializeType = type as SerializeType;
      const response = await client.invokeSync(addr, request, 5000);
      expect(response.code).toBe(ResponseCode.SUCCESS);
      expect(response.serializeType).toBe(type);
      expect(response.opaque).toBe(request.opaque);
      expect(response.isResponse()).toBe(true);
      expect(response.language).toBe('JAVA');
      // MQVersion.CURRENT_VERSION (V4_9_8.ordinal()), the value our REMOTING_VERSION copies
      expect(response.version).toBe(409);
      expect(parseLenientJson(response.body!)).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
    });

    it(`reads a ${name} error response with remark (GET_ROUTEINFO_BY_TOPIC of an unknown topic)`, async () => {
      const request = RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'NoSuchTopic' });
      request.serializeType = type as SerializeType;
      const response = await client.invokeSync(addr, request, 5000);
      expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
      expect(response.serializeType).toBe(type);
      expect(response.remark).toContain('NoSuchTopic');
    });
  }

  it('reads KV config written with both header types', async () => {
    const put = RemotingCommand.request(RequestCode.PUT_KV_CONFIG, {
      namespace: 'NS',
      key: 'k',
      value: 'v\u0001é',
    });
    put.serializeType = 1;
    expect((await client.invokeSync(addr, put, 5000)).code).toBe(ResponseCode.SUCCESS);
    const get = RemotingCommand.request(RequestCode.GET_KV_CONFIG, { namespace: 'NS', key: 'k' });
    const response = await client.invokeSync(addr, get, 5000);
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.extFields.value).toBe('v\u0001é');
  });

  it('does not answer an unknown code at all (its DefaultRequestProcessor returns null)', async () => {
    // Surprising but true of 4.9.8's NameServer: it has a default processor, so RocketMQ's
    // REQUEST_CODE_NOT_SUPPORTED path is never reached, and the processor returns no response.
    const err = await client.invokeSync(addr, RemotingCommand.request(9999), 1500).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemotingTimeoutError);
    // the connection is still fine
    const response = await client.invokeSync(
      addr,
      RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO),
      5000,
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
  });
});
