/**
 * `cometmq namesrv` as a command: config file and --key=value handling, errors that name the key and
 * line, warnings for unknown keys, graceful stop on SIGTERM and SIGINT. Run `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { startCometNamesrv } from '../helpers/cometmq-namesrv.js';
import { COMETMQ_MAIN } from '../helpers/cometmq-processes.js';
import { invoke } from './namesrv-test-client.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cometmq-namesrv-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a namesrv that is expected to exit at once (bad config); bounded by a timeout, killed if it does not. */
function runFailing(args: string[]) {
  const r = spawnSync(process.execPath, [COMETMQ_MAIN, 'namesrv', '--bindAddress=127.0.0.1', ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn' },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('cometmq namesrv command', () => {
  it('refuses a bad value in the config file, naming file, line, key and value', async () => {
    const conf = join(dir, 'bad.conf');
    await writeFile(conf, '# NameServer\nlistenPort=0\nscanNotActiveBrokerInterval=10s\n');
    const r = runFailing(['-c', conf]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `${conf}:3: bad value "10s" for scanNotActiveBrokerInterval: expected an integer`,
    );
  });

  it('refuses a line without a value and a bad --key=value', async () => {
    const conf = join(dir, 'noval.conf');
    await writeFile(conf, 'listenPort=0\norderMessageEnable\n');
    const r = runFailing(['-c', conf]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${conf}:2: key "orderMessageEnable" has no value`);
    const r2 = runFailing(['-p', '0', '--orderMessageEnable=maybe']);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(
      /command line:\d+: bad value "maybe" for orderMessageEnable: expected true or false/,
    );
    expect(runFailing(['-c', join(dir, 'missing.conf')]).stderr).toContain(
      'missing.conf: cannot read config file',
    );
  });

  it('warns about unknown keys, reads the -c file, lets --key=value override it, and stops on SIGTERM with 0', async () => {
    const conf = join(dir, 'namesrv.conf');
    await writeFile(conf, 'orderMessageEnable=true\nproductEnvName=from-file\nlistenPortt=1\n');
    const ns = await startCometNamesrv({ args: ['-c', conf, '--productEnvName=from-args', '--noSuchKey=1'] });
    const client = new RemotingClient();
    try {
      expect(ns.process.output()).toContain(`${conf}:3: unknown key "listenPortt" ignored`);
      expect(ns.process.output()).toMatch(/command line:\d+: unknown key "noSuchKey" ignored/);
      const text = (await invoke(client, ns.addr, RequestCode.GET_NAMESRV_CONFIG)).body!.toString();
      expect(text).toContain('orderMessageEnable=true\n');
      expect(text).toContain('productEnvName=from-args\n');
      // As RocketMQ: the -c file is where UPDATE_NAMESRV_CONFIG persists, unless configStorePath is given.
      expect(text).toContain(`configStorePath=${join(ns.dataDir, 'namesrv.properties')}\n`);
    } finally {
      await client.shutdown();
      expect(await ns.stop()).toBe(0);
      await ns.shutdown();
    }
    expect(await readFile(conf, 'utf8')).toContain('productEnvName=from-file');
  });

  it('stops on SIGINT with 0 and closes its port', async () => {
    const ns = await startCometNamesrv();
    try {
      ns.process.proc.kill('SIGINT');
      const code = await new Promise<number | null>((r) => ns.process.proc.once('exit', (c) => r(c)));
      expect(code).toBe(0);
      const client = new RemotingClient({ connectTimeoutMs: 1000 });
      await expect(invoke(client, ns.addr, RequestCode.GET_BROKER_CLUSTER_INFO)).rejects.toThrow();
      await client.shutdown();
    } finally {
      await ns.shutdown();
    }
  });
});
