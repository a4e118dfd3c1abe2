import { createRequire } from 'node:module';
import type * as wasiModule from 'node:wasi';

/** WASI preview1 rights bit for fd_advise, the only thing the files are opened for. */
const RIGHT_FD_ADVISE = 1n << 7n;
/** WASI's advice value for POSIX_FADV_DONTNEED. */
const ADVICE_DONTNEED = 4;
/** The first preopened directory's WASI descriptor. */
const PREOPEN_FD = 3;
/** Where the path of the file to open is put in the module's memory, and the opened fd is returned. */
const FD_OUT = 0;
const PATH_AT = 16;
/** A file name longer than this is not a store file. */
const MAX_NAME = 256;
/** WASI's errno for an invalid argument. */
const EINVAL = 28;

/**
 * A module with nothing but one page of memory, exported: WASI's calls read their arguments from
 * an instance's memory, and this one is all they need. Spelled out as bytes (magic, version, a
 * memory section of one page, an export section naming it "memory").
 */
const MEMORY_ONLY_MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 0x6d,
  0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
]);

const ENCODER = new TextEncoder();

/** The part of the WebAssembly API used here (the compile target's lib does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

type WasiCall = (...args: Array<number | bigint>) => number;

/** The WASI preview1 calls used here (Node's wasiImport object holds them as plain functions). */
interface WasiCalls {
  path_open: WasiCall;
  fd_advise: WasiCall;
  fd_close: WasiCall;
}

/**
 * posix_fadvise(POSIX_FADV_DONTNEED) for the files of one folder, so that the page cache of data no
 * longer needed in memory can be given back on purpose. Node has no binding for it; Node's WASI
 * implementation (uvwasi) maps fd_advise onto posix_fadvise, so the folder is preopened for a WASI
 * instance and its calls are made from JavaScript. Nothing is compiled and no file is changed: the
 * files are opened with the fd_advise right only (read-only descriptors).
 */
export class PageCacheAdvice {
  private readonly mem: Uint8Array;
  private readonly view: DataView;

  private constructor(
    private readonly calls: WasiCalls,
    memory: WasmMemory,
  ) {
    this.mem = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
  }

  /**
   * For the files in `dir` (which must exist); undefined where WASI is missing or refuses (the
   * caller then simply keeps the page cache, as the kernel would).
   */
  static open(dir: string): PageCacheAdvice | undefined {
    try {
      // loaded on first use: Node prints its experimental-feature warning when the module loads
      const wasi = withoutWasiWarning(() => {
        const { WASI } = createRequire(import.meta.url)('node:wasi') as typeof wasiModule;
        return new WASI({ version: 'preview1', preopens: { '/store': dir } });
      });
      const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      const instance = new wasm.Instance(new wasm.Module(MEMORY_ONLY_MODULE), {});
      wasi.initialize(instance);
      const calls = wasi.wasiImport as unknown as WasiCalls;
      const memory = instance.exports.memory as WasmMemory;
      if (typeof calls.path_open !== 'function' || typeof calls.fd_advise !== 'function') return undefined;
      return new PageCacheAdvice(calls, memory);
    } catch {
      return undefined;
    }
  }

  /**
   * Asks the kernel to drop the clean page-cache pages of `name` (a file in the folder) in
   * [offset, offset + length). Dirty pages stay (the kernel starts their writeback instead), so
   * callers pass flushed ranges. Returns the WASI errno, 0 on success. The file is opened for the
   * call only: a descriptor kept open would hold a file that retention deletes.
   */
  dontNeed(name: string, offset: number, length: number): number {
    const { read, written } = ENCODER.encodeInto(name, this.mem.subarray(PATH_AT, PATH_AT + MAX_NAME));
    if (read < name.length) return EINVAL;
    const opened = this.calls.path_open(PREOPEN_FD, 0, PATH_AT, written, 0, RIGHT_FD_ADVISE, 0n, 0, FD_OUT);
    if (opened !== 0) return opened;
    const fd = this.view.getUint32(FD_OUT, true);
    try {
      return this.calls.fd_advise(fd, BigInt(offset), BigInt(length), ADVICE_DONTNEED);
    } finally {
      this.calls.fd_close(fd);
    }
  }
}

/**
 * Node 20 prints "WASI is an experimental feature" on stderr when node:wasi is first loaded. Here
 * WASI is an implementation detail of one system call, so that one warning is held back; any other
 * warning raised meanwhile is passed on.
 */
function withoutWasiWarning<T>(make: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.startsWith('WASI is an experimental feature')) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emit;
  }
}
