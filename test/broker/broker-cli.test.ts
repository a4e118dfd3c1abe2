import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { startServerProcess } from '../helpers/child-process.js';
import { COMETMQ_MAIN, type RunningProcess, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

let ns1: RunningProcess;
let ns2: RunningProcess;
let dir: { path: string; remove(): Promise<void> };
const nsClient = new RemotingClient();

beforeAll(async () => {
  dir = await tempDir('cometmq-broker-cli-');
  [ns1, ns2] = await Promise.all([startNamesrv(), startNamesrv()]);
});

afterAll(async () => {
  await nsClient.shutdown();
  await ns1?.kill();
  await ns2?.kill();
  await dir?.remove();
});

/** Runs `cometmq broker ...` expecting it to fail at start-up; resolves with its exit code and output. */
function failingBroker(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [COMETMQ_MAIN, 'broker', ...args], {
      env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const t = setTimeout(() => {
      if (p.pid !== undefined) process.kill(p.pid, 'SIGKILL');
    }, 20_000);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

async function routeOn(ns: string, topic: string): Promise<number> {
  return (
    await nsClient.invokeSync(
      ns,
      RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
      5000,
    )
  ).code;
}

describe('cometmq broker command line', () => {
  it('registers with every NameServer of NAMESRV_ADDR, reads -c broker.conf, and warns on unknown keys', async () => {
    const conf = join(dir.path, 'broker.conf');
    await writeFile(
      conf,
      [
        '# a RocketMQ-style broker.conf',
        'brokerClusterName=ConfCluster',
        'brokerName=broker-conf',
        'brokerIP1=127.0.0.1',
        'bindAddress=127.0.0.1',
        'listenPort=0',
        `storePathRootDir=${join(dir.path, 'store')}`,
        'mappedFileSizeCommitLog=16777216',
        'noSuchBrokerKey=1',
        '',
      ].join('\n'),
    );
    const b = await startServerProcess(process.execPath, [COMETMQ_MAIN, 'broker', '-c', conf], {
      env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn', NAMESRV_ADDR: `${ns1.addr};${ns2.addr}` },
      ready: /The broker\[broker-conf, (\S+)\] boot success/,
      what: 'broker',
      timeoutMs: 30_000,
    });
    try {
      expect(b.output()).toMatch(/unknown key "noSuchBrokerKey"/);
      expect(b.output()).toMatch(new RegExp(`Broker listening on ${b.readyMatch}`));
      expect(b.readyMatch).toMatch(/^127\.0\.0\.1:\d+$/);
      const c = new BrokerTestClient(b.readyMatch);
      expect((await c.createTopic('CliT', 2)).code).toBe(ResponseCode.SUCCESS);
      await c.close();
      for (const ns of [ns1.addr, ns2.addr]) {
        const end = Date.now() + 10_000;
        while ((await routeOn(ns, 'CliT')) !== ResponseCode.SUCCESS) {
          if (Date.now() > end) throw new Error(`no route on ${ns}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const info = await nsClient.invokeSync(
        ns2.addr,
        RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO),
        5000,
      );
      expect(info.body!.toString()).toContain('ConfCluster');
      expect(await b.stop()).toBe(0);
      // unregistered from both on SIGTERM
      expect(await routeOn(ns1.addr, 'CliT')).toBe(ResponseCode.TOPIC_NOT_EXIST);
      expect(await routeOn(ns2.addr, 'CliT')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    } finally {
      await b.kill();
    }
  });

  it('fails start-up on a bad value, naming the key', async () => {
    const r1 = await failingBroker([
      '-n',
      ns1.addr,
      '--listenPort=abc',
      `--storePathRootDir=${join(dir.path, 'bad1')}`,
    ]);
    expect(r1.code).not.toBe(0);
    expect(r1.out).toMatch(/listenPort/);
    const r2 = await failingBroker([
      '-n',
      ns1.addr,
      '--flushDiskType=SOMETIMES',
      `--storePathRootDir=${join(dir.path, 'bad2')}`,
    ]);
    expect(r2.code).not.toBe(0);
    expect(r2.out).toMatch(/flushDiskType/);
    const r3 = await failingBroker([`--storePathRootDir=${join(dir.path, 'bad3')}`], {
      NAMESRV_ADDR: 'not an address',
    });
    expect(r3.code).not.toBe(0);
    expect(r3.out).toMatch(/namesrvAddr/);
  });
});
