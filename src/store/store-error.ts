/** A store failure that is not a client's fault: bad files, broken invariants, I/O errors. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** An invariant of the store does not hold: a bug. The store stops writing (style.md, TigerBeetle habit). */
export class StoreInvariantError extends StoreError {
  override readonly name = 'StoreInvariantError';
}
