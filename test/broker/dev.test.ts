import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { COMETMQ_MAIN, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

let proc: ChildProcess | undefined;
let dir: { path: string; remove(): Promise<void> } | undefined;

afterAll(async () => {
  if (proc?.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    process.kill(proc.pid, 'SIGKILL');
    await exited;
  }
  await dir?.remove();
});

describe('cometmq dev', () => {
  it('runs a NameServer and a broker in one process, prints both addresses and an example, stops on SIGTERM', async () => {
    dir = await tempDir('cometmq-dev-');
    const data = join(dir.path, 'data');
    proc = spawn(
      process.execPath,
      [COMETMQ_MAIN, 'dev', '--data', data, '--port', '0', '--broker-port', '0'],
      {
        env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const end = Date.now() + 30_000;
    while (!/cometmq consume/.test(out)) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`dev did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ns = /NameServer listening on (\S+)/.exec(out)![1]!;
    const brokerAddr = /Broker listening on (\S+)/.exec(out)![1]!;
    expect(out).toContain(`cometmq produce -n ${ns}`);
    const c = new BrokerTestClient(brokerAddr);
    const r = await c.send('DevT', 'hello');
    expect(r.code).toBe(ResponseCode.SUCCESS);
    await c.close();
    expect(existsSync(join(data, 'store', 'commitlog'))).toBe(true);
    const exited = new Promise<number | null>((r2) => proc!.once('exit', (code) => r2(code)));
    process.kill(proc.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
  });
});
