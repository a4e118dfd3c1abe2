/** `cometmq produce` and `cometmq consume` against real servers (run in-process through their entry functions). */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrom, runConsume } from '../../src/cli/consume.js';
import { runProduce } from '../../src/cli/produce.js';
import { type StartedCluster, startCluster, testTargets } from '../helpers/mq-cluster.js';

const targets = testTargets();

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
    });
});
