/**
 * The broker's network thread: owns the listening socket and every connection (RemotingServer), decodes
 * frames and headers, encodes responses and writes them, and hands requests to the main thread (which
 * owns the store) in one message per event-loop turn. Design.md s.5: the next step once one event loop
 * saturates while a core idles.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  decodeSendMessageRequestHeader,
  decodeSendMessageRequestHeaderV2,
  type SendMessageRequestHeader,
} from '../../remoting/protocol/header/send-message-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RemotingServer, type RemotingServerOptions } from '../../remoting/remoting-server.js';
import { RequestCode } from '../../remoting/request-code.js';
import { readCommands, SendRecordWriter } from './binary-records.js';
import { type MainToWorker, toCommand, WireBatch, type WorkerToMain } from './network-messages.js';

const port = parentPort!;
const opts = workerData as RemotingServerOptions;
const server = new RemotingServer(opts);
const channels = new Map<number, RemotingChannel>();

const post = (m: WorkerToMain, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

let batch = new WireBatch();
const sends = new SendRecordWriter();
let scheduled = false;
const flush = (): void => {
  scheduled = false;
  if (batch.size === 0 && sends.count === 0) return;
  const b = batch;
  batch = new WireBatch();
  const buf = b.takeBuffer();
  const sendBuf = sends.count > 0 ? sends.take() : null;
  post({ t: 'requests', cmds: b.cmds, buf, sends: sendBuf }, sendBuf ? [buf, sendBuf] : [buf]);
};

// The send header is decoded here, so the main thread gets typed fields instead of an extFields map;
// a header that does not decode goes the generic way and the main thread answers its error.
const decodeSendHeader = (request: RemotingCommand): SendMessageRequestHeader | undefined => {
  try {
    if (request.code === RequestCode.SEND_MESSAGE) return decodeSendMessageRequestHeader(request.extFields);
    if (request.code === RequestCode.SEND_MESSAGE_V2 || request.code === RequestCode.SEND_BATCH_MESSAGE) {
      return decodeSendMessageRequestHeaderV2(request.extFields);
    }
  } catch {
    return undefined;
  }
  return undefined;
};

server.registerDefaultProcessor((request, channel) => {
  const h = decodeSendHeader(request);
  if (h) sends.add(channel.id, request, h);
  else batch.add(channel.id, request);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
  return null;
});
server.on('connect', (ch) => {
  channels.set(ch.id, ch);
  post({ t: 'connect', ch: ch.id, remote: ch.remoteAddress, local: ch.localAddress });
});
server.on('close', (ch) => {
  channels.delete(ch.id);
  post({ t: 'close', ch: ch.id });
});
server.on('idle', (ch) => post({ t: 'idle', ch: ch.id }));

port.on('message', (m: MainToWorker) => {
  switch (m.t) {
    case 'send':
      readCommands(m.buf, (chId, cmd) => {
        const ch = channels.get(chId);
        if (ch?.isOpen) ch.send(cmd);
      });
      break;
    case 'invoke': {
      const ch = channels.get(m.cmd.ch);
      if (!ch?.isOpen) {
        post({ t: 'invoked', id: m.id, error: 'channel closed' });
        break;
      }
      ch.invoke(toCommand(m.cmd, m.buf), m.timeoutMs).then(
        (resp) => {
          const b = new WireBatch();
          b.add(m.cmd.ch, resp);
          const buf = b.takeBuffer();
          post({ t: 'invoked', id: m.id, cmd: b.cmds[0]!, buf }, [buf]);
        },
        (err: unknown) => post({ t: 'invoked', id: m.id, error: (err as Error).message }),
      );
      break;
    }
    case 'close':
      channels.get(m.ch)?.close();
      break;
    case 'stop':
      void server.stop().then(() => {
        post({ t: 'stopped' });
        port.close();
      });
      break;
  }
});

server.start().then(
  () => post({ t: 'listening', port: server.port }),
  (err: unknown) => post({ t: 'error', message: (err as Error).message }),
);
