/** `cometmq bench compare` on the command line: options, one JSON line per case, a table on a terminal. */
import type { Command } from 'commander';
import { ConfigError } from '../src/common/config.js';
import { type CompareCase, runCompareBench } from './compare-bench.js';
import { type CompareTarget, defaultReferenceHome, referenceRunnable } from './compare-processes.js';
import { formatCompareTable } from './compare-report.js';

interface CompareFlags {
  duration: string;
  warmup: string;
  size: string;
  window: string;
  connections: string;
  cases: string;
  targets: string;
  repeat: string;
  cometmqBrokerArgs?: string;
  consume: boolean;
  javaOpt: string;
  settle: string;
  table: boolean;
  referenceHome?: string;
}

function num(name: string, v: string, min: number): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < min)
    throw new ConfigError(`bad value "${v}" for ${name}: expected a number >= ${min}`);
  return Number(v);
}

function list<T extends string>(name: string, v: string, allowed: readonly T[]): T[] {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const i of items)
    if (!(allowed as readonly string[]).includes(i))
      throw new ConfigError(`bad value "${i}" for ${name}: expected ${allowed.join(', ')}`);
  if (items.length === 0) throw new ConfigError(`${name} is empty`);
  return items as T[];
}

export function registerCompareBenchCommand(bench: Command): void {
  bench
    .command('compare')
    .description(
      'Apache RocketMQ 4.9.8 and CometMQ side by side: each started alone, produce then consume (one JSON line per case)',
    )
    .option('--duration <secs>', 'measured produce run per target and case', '20')
    .option('--warmup <secs>', 'warm-up traffic before the measured run (the JVM needs >= 10)', '12')
    .option('-s, --size <bytes>', 'message body size', '1024')
    .option('-w, --window <n>', 'messages in flight', '256')
    .option('--connections <n>', 'producer connections', '2')
    .option('--cases <list>', 'flush types: async (ASYNC_FLUSH), sync (SYNC_FLUSH)', 'async,sync')
    .option('--targets <list>', 'brokers, run in this order: reference, cometmq', 'reference,cometmq')
    .option('--repeat <n>', 'runs of the case list, every second one with the targets reversed', '1')
    .option(
      '--cometmq-broker-args <args>',
      'extra --key=value arguments of the CometMQ broker only, e.g. "--networkWorkerEnable=true"',
    )
    .option('--no-consume', 'skip the consume phase')
    .option('--java-opt <opts>', 'JAVA_OPT of the reference broker', '-Xms1g -Xmx1g -Xmn512m')
    .option('--settle <ms>', 'pause after each cluster is removed and synced', '3000')
    .option('--table', 'also print the table to stderr (it goes to stdout on a terminal)')
    .option(
      '--reference-home <dir>',
      'the reference distribution (default $COMETMQ_REFERENCE_HOME or shared/)',
    )
    .action(async (f: CompareFlags) => {
      const targets = list<CompareTarget>('--targets', f.targets, ['reference', 'cometmq']);
      const cases = list<CompareCase>('--cases', f.cases, ['async', 'sync']);
      const referenceHome = f.referenceHome ?? defaultReferenceHome();
      if (targets.includes('reference')) {
        const why = referenceRunnable(referenceHome);
        if (why) throw new ConfigError(`the reference cannot run: ${why}`);
      }
      const results = await runCompareBench({
        durationSec: num('--duration', f.duration, 1),
        warmupSec: num('--warmup', f.warmup, 1),
        size: num('--size', f.size, 0),
        window: num('--window', f.window, 1),
        connections: num('--connections', f.connections, 1),
        queueNums: 8,
        cases,
        targets,
        repeat: num('--repeat', f.repeat, 1),
        cometmqBrokerArgs: (f.cometmqBrokerArgs ?? '').split(' ').filter((a) => a.length > 0),
        consume: f.consume,
        brokerJavaOpt: f.javaOpt,
        referenceHome,
        settleMs: num('--settle', f.settle, 0),
        onCase: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
      });
      const table = formatCompareTable(results);
      if (process.stdout.isTTY) process.stdout.write(`\n${table}`);
      else if (f.table) process.stderr.write(`\n${table}`);
      process.exit(0);
    });
}
