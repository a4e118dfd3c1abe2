/**
 * A body's bytes on loan: a pull body carved from a reusable slab (store/body-slab-pool.ts). Whoever
 * writes it (remoting's SocketChannel) releases it once the bytes are in the kernel or dropped; a
 * lease never released only keeps its slab from being reused.
 */
export interface BodyLease {
  release(): void;
}
