import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';
import { type RunningProcess, startBroker, startNamesrv, tempDir } from '../helpers/cometmq-processes.js';
import { BrokerTestClient } from './broker-test-client.js';

let namesrv: RunningProcess;
let broker: RunningProcess;
let dir: { path: string; remove(): Promise<void> };
let c: BrokerTestClient;

beforeAll(async () => {
  dir = await tempDir('cometmq-broker-bad-');
  namesrv = await startNamesrv();
  broker = await startBroker({
    namesrvAddr: namesrv.addr,
    storePathRootDir: dir.path,
    extra: ['--frameMaxLength=1048576'],
  });
  c = new BrokerTestClient(broker.addr);
  await c.createTopic('BadT', 1);
});

afterAll(async () => {
  await c?.close();
  await broker?.kill();
  await namesrv?.kill();
  await dir?.remove();
});

/** Writes raw bytes on a fresh connection; resolves with what came back and whether the broker closed it. */
function raw(bytes: Buffer, waitMs = 1500): Promise<{ data: Buffer; closed: boolean }> {
  const [host, port] = broker.addr.split(':');
  return new Promise((resolve) => {
    const s = connect({ host: host!, port: Number(port) });
    const chunks: Buffer[] = [];
    let closed = false;
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
    });
    s.on('connect', () => s.write(bytes));
    setTimeout(() => {
      s.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, waitMs);
  });
}

function frame(header: object, body = Buffer.alloc(0)): Buffer {
  const h = Buffer.from(JSON.stringify(header));
  const b = Buffer.alloc(8 + h.length + body.length);
  b.writeInt32BE(4 + h.length + body.length, 0);
  b.writeInt32BE(h.length, 4);
  h.copy(b, 8);
  body.copy(b, 8 + h.length);
  return b;
}

describe('broker: bad requests get clean answers and the broker keeps serving', () => {
  it('missing header fields and wrong types: SYSTEM_ERROR naming the field', async () => {
    const noTopic = await c.invoke(RequestCode.SEND_MESSAGE_V2, { a: 'PG' }, Buffer.from('x'));
    expect(noTopic.code).toBe(ResponseCode.SYSTEM_ERROR);
    // a send without a topic is refused as 4.9.8's msgCheck refuses it
    expect(noTopic.remark).toBe('The specified topic is blank.');
    const noQueue = await c.invoke(RequestCode.SEND_MESSAGE_V2, { a: 'PG', b: 'T' }, Buffer.from('x'));
    expect(noQueue.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noQueue.remark).toMatch(/<c>/);
    const badInt = await c.invoke(RequestCode.PULL_MESSAGE, {
      consumerGroup: 'G',
      topic: 'BadT',
      queueId: 'zero',
      queueOffset: 0,
      maxMsgNums: 32,
      sysFlag: 4,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subVersion: 0,
    });
    expect(badInt.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(badInt.remark).toMatch(/queueId/);
    const badOffset = await c.invoke(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: 'G',
      topic: 'BadT',
    });
    expect(badOffset.code).toBe(ResponseCode.SYSTEM_ERROR);
    const badHeartbeat = await c.invoke(RequestCode.HEART_BEAT, undefined, Buffer.from('{not json'));
    expect(badHeartbeat.code).toBe(ResponseCode.SYSTEM_ERROR);
    const noBody = await c.invoke(RequestCode.HEART_BEAT);
    expect(noBody.code).toBe(ResponseCode.SYSTEM_ERROR);
    const badBatch = await c.invoke(
      RequestCode.SEND_BATCH_MESSAGE,
      { a: 'PG', b: 'BadT', c: 'TBW102', d: 4, e: 0, f: 0, g: Date.now(), h: 0, m: true },
      Buffer.from([0, 0, 0, 99, 1, 2]),
    );
    expect(badBatch.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    expect((await c.send('BadT', 'still fine')).code).toBe(ResponseCode.SUCCESS);
  });

  it('unknown request codes: REQUEST_CODE_NOT_SUPPORTED with a remark, connection kept', async () => {
    const r = await c.invoke(9999);
    expect(r.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(r.remark).toMatch(/request type 9999 not supported/);
    expect((await c.send('BadT', 'same connection')).code).toBe(ResponseCode.SUCCESS);
  });

  it('a frame it cannot parse closes that connection only', async () => {
    const garbage = await raw(Buffer.from([0, 0, 0, 12, 0, 0, 0, 200, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(garbage.closed).toBe(true);
    const junkJson = await raw(frame({ nope: true }).fill(0x7b, 8, 12));
    expect(junkJson.closed).toBe(true);
    const oversized = Buffer.alloc(8);
    oversized.writeInt32BE(64 * 1024 * 1024, 0);
    oversized.writeInt32BE(10, 4);
    expect((await raw(oversized)).closed).toBe(true);
    expect((await c.send('BadT', 'after garbage')).code).toBe(ResponseCode.SUCCESS);
  });

  it('an oversized body within the frame limit gets MESSAGE_ILLEGAL', async () => {
    const r = await c.send('BadT', Buffer.alloc(900 * 1024, 1));
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const big = await c.invoke(
      RequestCode.UPDATE_BROKER_CONFIG,
      undefined,
      Buffer.from('maxMessageSize=1024\n'),
    );
    expect(big.code).toBe(ResponseCode.SUCCESS);
    const tooBig = await c.send('BadT', Buffer.alloc(2048, 1));
    expect(tooBig.code).toBe(ResponseCode.MESSAGE_ILLEGAL);
    await c.invoke(RequestCode.UPDATE_BROKER_CONFIG, undefined, Buffer.from('maxMessageSize=4194304\n'));
    expect((await c.send('BadT', 'fine again')).code).toBe(ResponseCode.SUCCESS);
  });
});
