import { requireString } from '../../remoting/custom-header.js';
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../../remoting/protocol/route/route-data.js';
import { encodeTopicRouteData } from '../../remoting/protocol/route/topic-route-data.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { encodeClusterInfo, encodeTopicList } from '../namesrv-bodies.js';
import type { TopicList } from '../route-info-manager.js';
import type { NamesrvContext, ProcessorTable } from './namesrv-context.js';

/** FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL), appended to TOPIC_NOT_EXIST remarks as 4.9.8 does. */
const APPLY_TOPIC_TIP = '\nSee http://rocketmq.apache.org/docs/faq/ for further details.';

/** GET_ROUTEINFO_BY_TOPIC, GET_BROKER_CLUSTER_INFO and the topic list queries. */
export function routeQueryProcessors(ctx: NamesrvContext): ProcessorTable {
  const { routeInfoManager: rim, kvConfigManager, config } = ctx;
  const list = (get: () => TopicList) => (req: RemotingCommand) =>
    req.createResponse(ResponseCode.SUCCESS, null, undefined, encodeTopicList(get()));
  return [
    [
      RequestCode.GET_ROUTEINFO_BY_TOPIC,
      (req: RemotingCommand) => {
        const topic = requireString(req.extFields, 'topic');
        const route = rim.pickupTopicRouteData(topic);
        if (!route) {
          return req.createResponse(
            ResponseCode.TOPIC_NOT_EXIST,
            `No topic route info in name server for the topic: ${topic}${APPLY_TOPIC_TIP}`,
          );
        }
        if (config.orderMessageEnable) {
          route.orderTopicConf = kvConfigManager.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
        }
        return req.createResponse(ResponseCode.SUCCESS, null, undefined, encodeTopicRouteData(route));
      },
    ],
    [
      RequestCode.GET_BROKER_CLUSTER_INFO,
      (req: RemotingCommand) =>
        req.createResponse(ResponseCode.SUCCESS, null, undefined, encodeClusterInfo(rim.getAllClusterInfo())),
    ],
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, list(() => rim.getAllTopicList())],
    [
      RequestCode.GET_TOPICS_BY_CLUSTER,
      (req: RemotingCommand) => {
        const cluster = requireString(req.extFields, 'cluster');
        return req.createResponse(
          ResponseCode.SUCCESS,
          null,
          undefined,
          encodeTopicList(rim.getTopicsByCluster(cluster)),
        );
      },
    ],
    [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, list(() => rim.getSystemTopicList())],
    [RequestCode.GET_UNIT_TOPIC_LIST, list(() => rim.getUnitTopics())],
    [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, list(() => rim.getHasUnitSubTopicList())],
    [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, list(() => rim.getHasUnitSubUnUnitTopicList())],
  ];
}
