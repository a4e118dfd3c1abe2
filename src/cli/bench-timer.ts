import type { Command } from 'commander';
import { runTimerBench } from '../../bench/timer-bench.js';
import { ConfigError } from '../common/config.js';

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new ConfigError(`bad value "${v}" for ${name}: expected an integer >= ${min}`);
  return Number(v);
}

interface TimerFlags {
  namesrvAddr?: string;
  topic?: string;
  count: string;
  size: string;
  windowSecs: string;
  leadSecs?: string;
  inflight: string;
  queueNums: string;
  brokerPid?: string;
  pendingOnly: boolean;
}

/** `cometmq bench timer`: timer messages due within one window, delivery lag past due (bench/timer-bench.ts). */
export function registerTimerBenchCommand(bench: Command): void {
  bench
    .command('timer')
    .description('send timer messages (TIMER_DELIVER_MS) due within one window; delivery lag past due')
    .option('-n, --namesrvAddr <addr>', 'NameServer address (default $NAMESRV_ADDR)')
    .option('-t, --topic <topic>', 'topic (default: a new TimerBench_<time>)')
    .option('-c, --count <n>', 'timers', '1000000')
    .option('-s, --size <bytes>', 'message body size', '128')
    .option('--window-secs <s>', 'due times spread over this many seconds', '10')
    .option('--lead-secs <s>', 'start of the window, from the start of the run (default: from the count)')
    .option('--inflight <n>', 'sends in flight', '256')
    .option('--queue-nums <n>', 'queues when the topic is created', '8')
    .option('--broker-pid <pid>', 'sample this broker process RSS (/proc)')
    .option(
      '--pending-only',
      'send timers due an hour ahead (or --lead-secs) and report RSS, no delivery',
      false,
    )
    .action(async (f: TimerFlags) => {
      const addr = f.namesrvAddr ?? process.env.NAMESRV_ADDR;
      if (!addr) throw new ConfigError('no NameServer: give -n host:port or set NAMESRV_ADDR');
      const r = await runTimerBench({
        namesrvAddr: addr,
        topic: f.topic,
        count: int('--count', f.count, 1)!,
        size: int('--size', f.size, 0)!,
        windowMs: int('--window-secs', f.windowSecs, 1)! * 1000,
        leadMs: (int('--lead-secs', f.leadSecs, 1) ?? 0) * 1000,
        inflight: int('--inflight', f.inflight, 1)!,
        queueNums: int('--queue-nums', f.queueNums, 1)!,
        brokerPid: int('--broker-pid', f.brokerPid, 1),
        pendingOnly: f.pendingOnly,
      });
      process.stdout.write(`${JSON.stringify(r)}\n`);
    });
}
