import { innerFromStoredBytes, type StoredInner } from '../stored-message-inner.js';

/**
 * ScheduleMessageService.messageTimeup from the stored bytes of a SCHEDULE_TOPIC_XXXX entry
 * (innerFromStoredBytes: properties string as stored, DELAY and WAIT included, as 4.9.8 delivers
 * them). The put is neither delayed again nor waits for flush or slaves: 4.9.8 clears DELAY and sets
 * WAIT=false in the properties map only, after the string was built.
 */
export function scheduledInnerFromStored(buf: Buffer, localStoreHost?: Buffer): StoredInner | undefined {
  const s = innerFromStoredBytes(buf, localStoreHost);
  if (!s) return undefined;
  s.inner.delayTimeLevel = 0;
  s.inner.waitStoreMsgOK = false;
  return s;
}
