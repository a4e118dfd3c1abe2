// Transactional messages: the message is delivered only if the local transaction commits
// (docs/client.md, Transactional messages).
import { type LocalTransactionState, Message, TransactionProducer } from '../../src/index.js';

/** Sends one transactional message per order id; ids in `failing` roll back, the others commit. */
export async function main(
  namesrvAddr: string,
  orderIds: string[],
  failing: ReadonlySet<string>,
): Promise<LocalTransactionState[]> {
  const orders = new Map<string, 'paid' | 'failed'>();
  const saveOrder = async (id: string): Promise<void> => {
    if (failing.has(id)) throw new Error(`order ${id} cannot be saved`);
    orders.set(id, 'paid');
  };
  const lookUpOrder = async (id: string): Promise<'paid' | 'failed' | undefined> => orders.get(id);
  const states: LocalTransactionState[] = [];
  // #region transaction
  const producer = new TransactionProducer({
    group: 'OrderTx',
    namesrvAddr,
    // runs right after the half message was stored; consumers see the message only after a commit
    executeLocalTransaction: async (msg) => {
      try {
        await saveOrder(msg.keys!);
        return 'COMMIT_MESSAGE';
      } catch {
        return 'ROLLBACK_MESSAGE';
      }
    },
    // the broker asks about a message left 'UNKNOW' (or whose producer died before answering)
    checkLocalTransaction: async (msg) => {
      const order = await lookUpOrder(msg.keys!);
      if (order === 'paid') return 'COMMIT_MESSAGE';
      return order === 'failed' ? 'ROLLBACK_MESSAGE' : 'UNKNOW'; // UNKNOW: ask me again later
    },
  });
  await producer.start();
  for (const id of orderIds) {
    const r = await producer.sendMessageInTransaction(
      new Message({ topic: 'OrderPaid', body: `order ${id} paid`, keys: id }),
    );
    states.push(r.localTransactionState); // plus the usual SendResult fields
  }
  await producer.shutdown();
  // #endregion transaction
  return states;
}
