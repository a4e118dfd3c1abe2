import { toJson } from '../common/lenient-json.js';
import type { BrokerData, DataVersion } from '../remoting/protocol/route/route-data.js';
import type { ClusterInfo, TopicList } from './route-info-manager.js';

/*
 * Response bodies of the NameServer that have no shared codec in remoting/protocol. Laid out as the
 * reference NameServer writes them (fastjson: bean fields in alphabetical order, null fields left out),
 * but always standard JSON with quoted keys, which both the Java client (fastjson reads "0" as the Long
 * 0) and ali-ons (JSON2) parse. TopicRouteData goes through remoting's encodeTopicRouteData.
 */

function brokerDataJson(bd: BrokerData): object {
  const addrs = [...bd.brokerAddrs].sort((a, b) => a[0] - b[0]);
  return { brokerAddrs: new Map(addrs), brokerName: bd.brokerName, cluster: bd.cluster };
}

/** GET_BROKER_CLUSTER_INFO body (ClusterInfo). */
export function encodeClusterInfo(info: ClusterInfo): Buffer {
  const brokerAddrTable = new Map<string, object>();
  for (const [name, bd] of info.brokerAddrTable) brokerAddrTable.set(name, brokerDataJson(bd));
  return Buffer.from(toJson({ brokerAddrTable, clusterAddrTable: info.clusterAddrTable }));
}

/** TopicList bodies (GET_ALL_TOPIC_LIST_FROM_NAMESERVER, GET_TOPICS_BY_CLUSTER, ...). */
export function encodeTopicList(list: TopicList): Buffer {
  return Buffer.from(toJson({ brokerAddr: list.brokerAddr, topicList: list.topicList }));
}

export function encodeDataVersion(v: DataVersion): Buffer {
  return Buffer.from(toJson({ counter: v.counter, timestamp: v.timestamp }));
}
