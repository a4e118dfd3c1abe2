import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BrokerController } from '../broker/broker-controller.js';
import { buildBrokerStartupConfig } from '../broker/broker-startup-config.js';
import { ConfigError } from '../common/config.js';
import type { PropertyEntry } from '../common/properties-file.js';
import { defaultNamesrvConfig } from '../namesrv/namesrv-config.js';
import { NamesrvController } from '../namesrv/namesrv-controller.js';
import { extractKeyValueArgs } from './key-value-args.js';
import { warnMissingNodeFlags } from './node-flags.js';

interface DevOptions {
  data: string;
  port: string;
  brokerPort: string;
  slave?: boolean;
}

/**
 * `cometmq dev` (what `npm start` runs): one NameServer and one broker in this process, data under
 * ./data, for trying CometMQ out. Broker keys may be given as --key=value.
 */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('run a NameServer and a broker in one process, for development (broker keys as --key=value)')
    .option('--data <dir>', 'data folder', './data')
    .option('--port <port>', 'NameServer port (0 = any free one)', '9876')
    .option('--broker-port <port>', 'broker port (0 = any free one)', '10911')
    .option('--slave', 'also run a slave of the broker (brokerId 1, port + 10, data in store-slave)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (opts: DevOptions, cmd: Command) => {
      const port = (name: string, v: string): number => {
        if (!/^\d+$/.test(v) || Number(v) > 65535)
          throw new ConfigError(`bad value "${v}" for ${name}: expected 0-65535`);
        return Number(v);
      };
      warnMissingNodeFlags();
      const nsPort = port('--port', opts.port);
      const bPort = port('--broker-port', opts.brokerPort);
      const dataDir = resolve(opts.data);
      await mkdir(dataDir, { recursive: true });
      const { entries: argEntries, rest } = extractKeyValueArgs(cmd.args);
      if (rest.length > 0) throw new ConfigError(`unexpected argument(s): ${rest.join(' ')}`);

      const nsConfig = {
        ...defaultNamesrvConfig(),
        listenPort: nsPort,
        bindAddress: '127.0.0.1',
        kvConfigPath: join(dataDir, 'namesrv', 'kvConfig.json'),
        configStorePath: join(dataDir, 'namesrv', 'namesrv.properties'),
      };
      const namesrv = new NamesrvController(nsConfig);
      await namesrv.start();
      const namesrvAddr = `127.0.0.1:${namesrv.port}`;

      const dflt = (key: string, value: string): PropertyEntry => ({
        key,
        value,
        line: 0,
        source: 'cometmq dev',
      });
      const base = [
        dflt('brokerName', 'broker-a'),
        dflt('brokerIP1', '127.0.0.1'),
        dflt('brokerIP2', '127.0.0.1'),
        dflt('bindAddress', '127.0.0.1'),
        dflt('listenPort', String(bPort)),
        dflt('storePathRootDir', join(dataDir, 'store')),
        // small CommitLog files: a dev folder should not take 1 GiB at the first message
        dflt('mappedFileSizeCommitLog', String(64 * 1024 * 1024)),
        ...argEntries,
        dflt('namesrvAddr', namesrvAddr),
      ];
      const warn = (e: PropertyEntry): void => {
        process.stderr.write(`cometmq dev: warning: unknown key "${e.key}" ignored\n`);
      };
      const { brokerConfig, storeConfig } = buildBrokerStartupConfig(base, warn);
      const broker = new BrokerController(brokerConfig, storeConfig);
      // --slave: the same broker group's slave, finding its master through the NameServer
      const slaveBroker = opts.slave
        ? ((): BrokerController => {
            const c = buildBrokerStartupConfig(
              [
                ...base,
                dflt('brokerId', '1'),
                dflt('brokerRole', 'SLAVE'),
                dflt('listenPort', String(bPort === 0 ? 0 : bPort + 10)),
                dflt('storePathRootDir', join(dataDir, 'store-slave')),
              ],
              warn,
            );
            return new BrokerController(c.brokerConfig, c.storeConfig);
          })()
        : undefined;
      let stopping = false;
      const stop = (): void => {
        if (stopping) process.exit(1);
        stopping = true;
        setTimeout(() => process.exit(1), 15_000).unref();
        Promise.resolve(slaveBroker?.shutdown())
          .then(() => broker.shutdown())
          .then(() => namesrv.shutdown())
          .then(
            () => process.exit(0),
            () => process.exit(1),
          );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      await broker.start();
      await slaveBroker?.start();
      process.stdout.write(
        [
          `NameServer listening on ${namesrvAddr}`,
          `Broker listening on ${broker.brokerAddr}`,
          ...(slaveBroker
            ? [`Slave broker listening on ${slaveBroker.brokerAddr} (HA from ${broker.haServerAddr})`]
            : []),
          `Data in ${dataDir}`,
          '',
          'Try it (in another terminal):',
          `  npx cometmq produce -n ${namesrvAddr} -t TestTopic "hello, CometMQ"`,
          `  npx cometmq consume -n ${namesrvAddr} -t TestTopic -g TestGroup --from first`,
          '',
        ].join('\n'),
      );
    });
}
