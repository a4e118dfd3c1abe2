import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Message, Producer, type SendResult } from '../index.js';

export interface ProduceOptions {
  topic: string;
  namesrvAddr?: string;
  group?: string;
  tags?: string;
  keys?: string;
  count?: string;
  json?: boolean;
}

export interface ProduceIO {
  /** Lines to send when no body is given on the command line. */
  input: NodeJS.ReadableStream;
  out: (line: string) => void;
}

function describe(r: SendResult, json: boolean): string {
  if (json) return JSON.stringify(r);
  return `${r.status} msgId=${r.msgId} offsetMsgId=${r.offsetMsgId} queue=${r.messageQueue.brokerName}:${r.messageQueue.queueId} queueOffset=${r.queueOffset}`;
}

/**
 * `cometmq produce`: sends the body given as arguments `--count` times, or else one message per line of
 * standard input, and prints one result line per message. Returns how many were sent.
 */
export async function runProduce(opts: ProduceOptions, bodyArgs: string[], io: ProduceIO): Promise<number> {
  const count = opts.count === undefined ? 1 : Number.parseInt(opts.count, 10);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--count must be a positive integer, got ${opts.count}`);
  const producer = new Producer({
    group: opts.group ?? 'CLI_PRODUCER_GROUP',
    namesrvAddr: opts.namesrvAddr ?? process.env.NAMESRV_ADDR ?? '127.0.0.1:9876',
    instanceName: `cli-produce-${process.pid}`,
  });
  await producer.start();
  let sent = 0;
  const send = async (body: string): Promise<void> => {
    const msg = new Message({ topic: opts.topic, body, tags: opts.tags, keys: opts.keys });
    io.out(describe(await producer.send(msg), opts.json ?? false));
    sent++;
  };
  try {
    if (bodyArgs.length > 0) {
      const body = bodyArgs.join(' ');
      for (let i = 0; i < count; i++) await send(body);
    } else {
      const lines = createInterface({ input: io.input, crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        if (line.length === 0) continue;
        for (let i = 0; i < count; i++) await send(line);
      }
    }
  } finally {
    await producer.shutdown();
  }
  return sent;
}

export function registerProduceCommand(program: Command): void {
  program
    .command('produce')
    .description('send messages: the body from the arguments, or one message per line of standard input')
    .requiredOption('-t, --topic <topic>', 'topic to send to')
    .option(
      '-n, --namesrvAddr <addr>',
      'NameServer address(es), host:port;host:port (default $NAMESRV_ADDR or 127.0.0.1:9876)',
    )
    .option('-g, --group <group>', 'producer group', 'CLI_PRODUCER_GROUP')
    .option('--tags <tag>', 'message tag')
    .option('--keys <keys>', 'message keys, space separated')
    .option('--count <n>', 'send each body this many times', '1')
    .option('--json', 'print results as JSON lines')
    .argument('[body...]', 'message body (default: read lines from standard input)')
    .action(async (body: string[], opts: ProduceOptions) => {
      await runProduce(opts, body, { input: process.stdin, out: (l) => process.stdout.write(`${l}\n`) });
    });
}
