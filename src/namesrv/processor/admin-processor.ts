import { applyConfig, ConfigError, configToProperties } from '../../common/config.js';
import { componentLogger } from '../../common/logger.js';
import {
  formatPropertiesText,
  type PropertyEntry,
  parsePropertiesText,
} from '../../common/properties-file.js';
import { optionalString, requireString } from '../../remoting/custom-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { SerialWriter, writeFileWithBackup } from '../file-util.js';
import { configBlackList, type NamesrvConfig } from '../namesrv-config.js';
import type { NamesrvContext, ProcessorTable } from './namesrv-context.js';

const log = componentLogger('namesrv.admin');

/** WIPE/ADD_WRITE_PERM_OF_BROKER, DELETE_TOPIC_IN_NAMESRV, GET_NAMESRV_CONFIG, UPDATE_NAMESRV_CONFIG. */
export function adminProcessors(ctx: NamesrvContext): ProcessorTable {
  const { routeInfoManager: rim, config } = ctx;
  const configWriter = new SerialWriter();
  return [
    [
      RequestCode.WIPE_WRITE_PERM_OF_BROKER,
      (req: RemotingCommand, channel: RemotingChannel) => {
        const brokerName = requireString(req.extFields, 'brokerName');
        const wipeTopicCount = rim.wipeWritePermOfBroker(brokerName);
        log.info({ brokerName, client: channel.remoteAddress, wipeTopicCount }, 'wipe write perm of broker');
        return req.createResponse(ResponseCode.SUCCESS, null, { wipeTopicCount });
      },
    ],
    [
      RequestCode.ADD_WRITE_PERM_OF_BROKER,
      (req: RemotingCommand, channel: RemotingChannel) => {
        const brokerName = requireString(req.extFields, 'brokerName');
        const addTopicCount = rim.addWritePermOfBroker(brokerName);
        log.info({ brokerName, client: channel.remoteAddress, addTopicCount }, 'add write perm of broker');
        return req.createResponse(ResponseCode.SUCCESS, null, { addTopicCount });
      },
    ],
    [
      RequestCode.DELETE_TOPIC_IN_NAMESRV,
      (req: RemotingCommand) => {
        const topic = requireString(req.extFields, 'topic');
        const clusterName = optionalString(req.extFields, 'clusterName');
        if (clusterName) rim.deleteTopicInCluster(topic, clusterName);
        else rim.deleteTopic(topic);
        return req.createResponse(ResponseCode.SUCCESS);
      },
    ],
    [
      RequestCode.GET_NAMESRV_CONFIG,
      (req: RemotingCommand) =>
        req.createResponse(ResponseCode.SUCCESS, null, undefined, Buffer.from(namesrvConfigText(config))),
    ],
    [
      RequestCode.UPDATE_NAMESRV_CONFIG,
      async (req: RemotingCommand, channel: RemotingChannel) => {
        log.info({ client: channel.remoteAddress }, 'updateConfig called');
        if (req.body === null) return req.createResponse(ResponseCode.SUCCESS);
        let entries: PropertyEntry[];
        try {
          entries = parsePropertiesText(req.body.toString('utf8'), 'UPDATE_NAMESRV_CONFIG');
        } catch (err) {
          return req.createResponse(
            ResponseCode.SYSTEM_ERROR,
            `string2Properties error: ${(err as Error).message}`,
          );
        }
        const black = configBlackList(config);
        if (entries.some((e) => black.has(e.key))) {
          return req.createResponse(ResponseCode.NO_PERMISSION, 'Can not update config in black list.');
        }
        let updated: NamesrvConfig;
        try {
          // As Configuration.update: keys the NameServer does not have are ignored.
          updated = applyConfig(config, entries);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          return req.createResponse(ResponseCode.SYSTEM_ERROR, err.message);
        }
        Object.assign(config, updated);
        // As Configuration.persist: the whole config goes to configStorePath.
        await configWriter.run(() => writeFileWithBackup(config.configStorePath, namesrvConfigText(config)));
        return req.createResponse(ResponseCode.SUCCESS);
      },
    ],
  ];
}

/** The GET_NAMESRV_CONFIG body: every key as `key=value` lines (Configuration.getAllConfigsFormatString). */
export function namesrvConfigText(config: NamesrvConfig): string {
  const props = configToProperties(config);
  // RocketMQ leaves out what is null; our "unset" rocketmqHome is ''.
  if (props.rocketmqHome === '') delete props.rocketmqHome;
  return formatPropertiesText(props);
}
