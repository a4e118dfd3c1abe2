/** `cometmq produce` and `cometmq consume` against real servers (run in-process through their entry functions). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrom, runConsume } from '../../src/cli/consume.js';
import { runProduce } from '../../src/cli/produce.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';

const targets = testTargets();
const MAIN = join(resolve(import.meta.dirname, '../..'), 'dist/src/cli/main.js');

/** Runs the built `cometmq` binary with `input` on stdin; bounded by `timeoutMs`. */
function cometmq(
  args: string[],
  input: string,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, COMETMQ_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cometmq ${args.join(' ')} timed out: ${stdout} ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('consume --from', () => {
  it('parses first, last and timestamps', () => {
    expect(parseFrom('first').where).toBe('CONSUME_FROM_FIRST_OFFSET');
    expect(parseFrom(undefined).where).toBe('CONSUME_FROM_LAST_OFFSET');
    expect(parseFrom('20240501120000')).toEqual({
      where: 'CONSUME_FROM_TIMESTAMP',
      timestamp: '20240501120000',
    });
    expect(parseFrom('1714557600000')).toEqual({ where: 'CONSUME_FROM_TIMESTAMP', timestamp: 1714557600000 });
    expect(() => parseFrom('yesterday')).toThrow(/--from/);
  });
});

describe.skipIf(targets.length === 0)('cometmq produce / consume', () => {
  for (const target of targets)
    describe(`against ${target}`, () => {
      let cluster: StartedCluster;

      beforeAll(async () => {
        cluster = await startCluster(target);
      }, 120_000);

      afterAll(async () => {
        await cluster?.shutdown();
      }, 60_000);

      it('produces from arguments and stdin lines, and consumes them as lines and JSON', async () => {
        const results: string[] = [];
        const io = { input: Readable.from([]), out: (l: string) => results.push(l) };
        expect(
          await runProduce(
            { topic: 'CliT', namesrvAddr: cluster.namesrvAddr, tags: 'TagA', keys: 'k1', count: '2' },
            ['hello', 'world'],
            io,
          ),
        ).toBe(2);
        const stdin = Readable.from(['line one\nline two\n', '\nline three\n']);
        expect(
          await runProduce({ topic: 'CliT', namesrvAddr: cluster.namesrvAddr, tags: 'TagB' }, [], {
            input: stdin,
            out: io.out,
          }),
        ).toBe(3);
        expect(results.length).toBe(5);
        expect(results.every((l) => /^SEND_OK msgId=[0-9A-F]{32} /.test(l))).toBe(true);

        const lines: string[] = [];
        const never = new AbortController();
        const n = await runConsume(
          { topic: 'CliT', group: 'CliG', namesrvAddr: cluster.namesrvAddr, from: 'first', count: '5' },
          (l) => lines.push(l),
          never.signal,
        );
        expect(n).toBe(5);
        expect(lines.sort()).toEqual(['hello world', 'hello world', 'line one', 'line three', 'line two']);

        const json: string[] = [];
        const stop = new AbortController();
        setTimeout(() => stop.abort(), 8000).unref();
        const m = await runConsume(
          {
            topic: 'CliT',
            group: 'CliJsonG',
            namesrvAddr: cluster.namesrvAddr,
            from: 'first',
            tags: 'TagA',
            json: true,
            count: '2',
          },
          (l) => json.push(l),
          stop.signal,
        );
        expect(m).toBe(2);
        const parsed = json.map(
          (l) => JSON.parse(l) as { body: string; tags: string; keys: string; topic: string },
        );
        expect(
          parsed.every(
            (p) => p.body === 'hello world' && p.tags === 'TagA' && p.keys === 'k1' && p.topic === 'CliT',
          ),
        ).toBe(true);
      }, 60_000);

      it.skipIf(!existsSync(MAIN))(
        'the built binary: produce from stdin, consume --json --count',
        async () => {
          const p = await cometmq(
            ['produce', '-t', 'CliBin', '-n', cluster.namesrvAddr, '--tags', 'X'],
            'first\nsecond\n',
            30_000,
          );
          expect(p.code).toBe(0);
          expect(p.stdout.trim().split('\n').length).toBe(2);
          const c = await cometmq(
            [
              'consume',
              '-t',
              'CliBin',
              '-g',
              'CliBinG',
              '-n',
              cluster.namesrvAddr,
              '--from',
              'first',
              '--json',
              '--count',
              '2',
            ],
            '',
            30_000,
          );
          expect(c.code).toBe(0);
          const bodies = c.stdout
            .trim()
            .split('\n')
            .map((l) => (JSON.parse(l) as { body: string; tags: string }).body);
          expect(bodies.sort()).toEqual(['first', 'second']);
        },
        60_000,
      );
    });
});
