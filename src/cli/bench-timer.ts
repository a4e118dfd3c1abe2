import type { Command } from 'commander';
import { runTimerBench } from '../../bench/timer-bench.js';
import { intFlag, namesrvFlag, optionalIntFlag, printJsonLine } from './bench-flags.js';

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
      const r = await runTimerBench({
        namesrvAddr: namesrvFlag(f.namesrvAddr),
        topic: f.topic,
        count: intFlag('--count', f.count, 1),
        size: intFlag('--size', f.size, 0),
        windowMs: intFlag('--window-secs', f.windowSecs, 1) * 1000,
        leadMs: (optionalIntFlag('--lead-secs', f.leadSecs, 1) ?? 0) * 1000,
        inflight: intFlag('--inflight', f.inflight, 1),
        queueNums: intFlag('--queue-nums', f.queueNums, 1),
        brokerPid: optionalIntFlag('--broker-pid', f.brokerPid, 1),
        pendingOnly: f.pendingOnly,
      });
      printJsonLine(r);
    });
}
