import { parseLenientJson, toJson } from '../../../common/lenient-json.js';
import { RemotingCommandError } from '../../custom-header.js';
import { arr, asObject, type JsonObject, num, optStr, str } from '../body/json-fields.js';

/**
 * GET_ROUTEINFO_BY_TOPIC reply body (common/protocol/route/TopicRouteData, QueueData, BrokerData).
 * The NameServer writes it with fastjson, so brokerAddrs comes with unquoted numeric keys
 * (`{0:"10.0.0.1:10911"}`); clients read it leniently.
 */
export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

export interface BrokerData {
  cluster: string;
  brokerName: string;
  /** brokerId -> "ip:port"; 0 is the master. */
  brokerAddrs: Map<number, string>;
}

export interface TopicRouteData {
  orderTopicConf?: string;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  filterServerTable: Map<string, string[]>;
}

function decodeQueueData(v: unknown): QueueData {
  const o = asObject(v, 'queueData');
  return {
    brokerName: str(o, 'brokerName'),
    readQueueNums: num(o, 'readQueueNums', 0),
    writeQueueNums: num(o, 'writeQueueNums', 0),
    perm: num(o, 'perm', 0),
    topicSysFlag: num(o, 'topicSysFlag', 0),
  };
}

function decodeBrokerData(v: unknown): BrokerData {
  const o = asObject(v, 'brokerData');
  const addrs = new Map<number, string>();
  const raw = o.brokerAddrs;
  if (raw !== undefined && raw !== null) {
    for (const [id, addr] of Object.entries(asObject(raw, 'brokerAddrs'))) {
      const n = Number(id);
      if (!Number.isInteger(n)) throw new RemotingCommandError(`brokerAddrs key ${id} is not a broker id`);
      addrs.set(n, String(addr));
    }
  }
  return { cluster: str(o, 'cluster', ''), brokerName: str(o, 'brokerName'), brokerAddrs: addrs };
}

export function decodeTopicRouteData(body: Buffer | string): TopicRouteData {
  const o: JsonObject = asObject(parseLenientJson(body), 'topicRouteData');
  const filterServerTable = new Map<string, string[]>();
  const fst = o.filterServerTable;
  if (fst !== undefined && fst !== null) {
    for (const [addr, list] of Object.entries(asObject(fst, 'filterServerTable'))) {
      filterServerTable.set(addr, Array.isArray(list) ? list.map(String) : []);
    }
  }
  const route: TopicRouteData = {
    queueDatas: arr(o, 'queueDatas').map(decodeQueueData),
    brokerDatas: arr(o, 'brokerDatas').map(decodeBrokerData),
    filterServerTable,
  };
  const otc = optStr(o, 'orderTopicConf');
  if (otc !== undefined) route.orderTopicConf = otc;
  return route;
}

/** Standard JSON with quoted keys; fastjson and JSON2 (ali-ons) read it. */
export function encodeTopicRouteData(route: TopicRouteData): Buffer {
  const plain = {
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas,
    brokerDatas: route.brokerDatas.map((b) => ({
      cluster: b.cluster,
      brokerName: b.brokerName,
      brokerAddrs: Object.fromEntries([...b.brokerAddrs].map(([id, addr]) => [String(id), addr])),
    })),
    filterServerTable: Object.fromEntries(route.filterServerTable),
  };
  return Buffer.from(toJson(plain));
}

/** A deep copy, so a cached route is never changed through a reference handed out. */
export function cloneTopicRouteData(route: TopicRouteData): TopicRouteData {
  return decodeTopicRouteData(encodeTopicRouteData(route));
}
