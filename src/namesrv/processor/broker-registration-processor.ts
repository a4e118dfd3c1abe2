import { crc32 } from 'node:zlib';
import { parseLenientJson } from '../../common/lenient-json.js';
import { componentLogger } from '../../common/logger.js';
import { optionalBool, optionalInt, requireLong, requireString } from '../../remoting/custom-header.js';
import {
  decodeRegisterBrokerBody,
  emptyRegisterBrokerBody,
  RegisterBrokerBodyError,
  toDataVersion,
  toTopicConfig,
} from '../../remoting/protocol/route/register-broker-body.js';
import {
  NAMESPACE_ORDER_TOPIC_CONFIG,
  type RegisterBrokerBody,
  type TopicConfig,
} from '../../remoting/protocol/route/route-data.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { encodeDataVersion } from '../namesrv-bodies.js';
import type { NamesrvContext, ProcessorTable } from './namesrv-context.js';

const log = componentLogger('namesrv.register');

/** MQVersion.Version.V3_0_11.ordinal(): older brokers send a bare TopicConfigSerializeWrapper body. */
const V3_0_11 = 37;

/** REGISTER_BROKER, UNREGISTER_BROKER, QUERY_DATA_VERSION. */
export function brokerRegistrationProcessors(ctx: NamesrvContext): ProcessorTable {
  const { routeInfoManager, kvConfigManager } = ctx;
  return [
    [
      RequestCode.REGISTER_BROKER,
      async (req: RemotingCommand, channel: RemotingChannel) => {
        const ext = req.extFields;
        const brokerName = requireString(ext, 'brokerName');
        const brokerAddr = requireString(ext, 'brokerAddr');
        const clusterName = requireString(ext, 'clusterName');
        const haServerAddr = requireString(ext, 'haServerAddr');
        const brokerId = requireLong(ext, 'brokerId');
        const compressed = optionalBool(ext, 'compressed', false);
        const bodyCrc32 = optionalInt(ext, 'bodyCrc32', 0);
        // As DefaultRequestProcessor.checksum: 0 means "not sent"; Java masks the CRC to a positive int.
        if (bodyCrc32 !== 0 && bodyCrc32 !== javaCrc32(req.body)) {
          log.warn({ remote: channel.remoteAddress, brokerAddr }, 'registerBroker crc32 not match');
          return req.createResponse(ResponseCode.SYSTEM_ERROR, 'crc32 not match');
        }
        const legacy = req.version < V3_0_11;
        let body: RegisterBrokerBody;
        if (req.body === null || req.body.length === 0) body = emptyRegisterBrokerBody();
        else if (legacy) body = decodeLegacyBody(req.body);
        else body = await decodeRegisterBrokerBody(req.body, compressed);

        const result = routeInfoManager.registerBroker({
          clusterName,
          brokerAddr,
          brokerName,
          brokerId,
          haServerAddr,
          topicConfigTable: body.topicConfigSerializeWrapper.topicConfigTable,
          dataVersion: body.topicConfigSerializeWrapper.dataVersion,
          filterServerList: legacy ? null : body.filterServerList,
          channel,
        });
        return req.createResponse(
          ResponseCode.SUCCESS,
          null,
          { haServerAddr: result.haServerAddr, masterAddr: result.masterAddr },
          kvConfigManager.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG) ?? null,
        );
      },
    ],
    [
      RequestCode.UNREGISTER_BROKER,
      (req: RemotingCommand) => {
        const ext = req.extFields;
        const brokerName = requireString(ext, 'brokerName');
        const brokerAddr = requireString(ext, 'brokerAddr');
        const clusterName = requireString(ext, 'clusterName');
        const brokerId = requireLong(ext, 'brokerId');
        routeInfoManager.unregisterBroker(clusterName, brokerAddr, brokerName, brokerId);
        return req.createResponse(ResponseCode.SUCCESS);
      },
    ],
    [
      RequestCode.QUERY_DATA_VERSION,
      (req: RemotingCommand) => {
        const ext = req.extFields;
        requireString(ext, 'brokerName');
        const brokerAddr = requireString(ext, 'brokerAddr');
        requireString(ext, 'clusterName');
        requireLong(ext, 'brokerId');
        if (req.body === null)
          throw new RegisterBrokerBodyError('QUERY_DATA_VERSION without a DataVersion body');
        const dataVersion = toDataVersion(parseBody(req.body));
        const changed = routeInfoManager.isBrokerTopicConfigChanged(brokerAddr, dataVersion);
        // An unchanged broker that asks counts as alive, as a registration would.
        if (!changed) routeInfoManager.updateBrokerInfoUpdateTimestamp(brokerAddr);
        const nsVersion = routeInfoManager.queryBrokerTopicConfig(brokerAddr);
        return req.createResponse(
          ResponseCode.SUCCESS,
          null,
          { changed },
          nsVersion ? encodeDataVersion(nsVersion) : null,
        );
      },
    ],
  ];
}

/** UtilAll.crc32: CRC32 of the body masked to a positive int; 0 for no body. */
function javaCrc32(body: Buffer | null): number {
  return body === null ? 0 : crc32(body) & 0x7fffffff;
}

function decodeLegacyBody(data: Buffer): RegisterBrokerBody {
  const o = parseBody(data) as { topicConfigTable?: unknown; dataVersion?: unknown } | null;
  const topicConfigTable = new Map<string, TopicConfig>();
  const table = o?.topicConfigTable;
  if (table !== null && typeof table === 'object') {
    for (const [name, tc] of Object.entries(table as Record<string, unknown>)) {
      const config = toTopicConfig(tc, name);
      topicConfigTable.set(config.topicName, config);
    }
  }
  return {
    topicConfigSerializeWrapper: { topicConfigTable, dataVersion: toDataVersion(o?.dataVersion) },
    filterServerList: [],
  };
}

function parseBody(data: Buffer): unknown {
  try {
    return parseLenientJson(data);
  } catch (err) {
    throw new RegisterBrokerBodyError(`bad JSON body: ${(err as Error).message}`);
  }
}
