import { requireLong } from '../../custom-header.js';

/** Reply to PULL_MESSAGE (PullMessageResponseHeader); the same four fields for every response code. */
export interface PullMessageResponseHeader {
  suggestWhichBrokerId: number;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
}

export function encodePullMessageResponseHeader(h: PullMessageResponseHeader): Record<string, string> {
  return {
    suggestWhichBrokerId: String(h.suggestWhichBrokerId),
    nextBeginOffset: String(h.nextBeginOffset),
    minOffset: String(h.minOffset),
    maxOffset: String(h.maxOffset),
  };
}

export function decodePullMessageResponseHeader(ext: Record<string, string>): PullMessageResponseHeader {
  return {
    suggestWhichBrokerId: requireLong(ext, 'suggestWhichBrokerId'),
    nextBeginOffset: requireLong(ext, 'nextBeginOffset'),
    minOffset: requireLong(ext, 'minOffset'),
    maxOffset: requireLong(ext, 'maxOffset'),
  };
}
