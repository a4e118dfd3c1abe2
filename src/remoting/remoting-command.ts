import type { BodyLease } from '../common/body-lease.js';

/**
 * One remoting frame, request or response (remoting/.../protocol/RemotingCommand.java). The wire
 * layout lives in remoting-codec.ts; this is the in-memory shape every processor sees.
 */

/** Header serialize type, the top byte of the header-length word: 0 JSON, 1 ROCKETMQ (binary). */
export const SerializeType = { JSON: 0, ROCKETMQ: 1 } as const;
export type SerializeType = 0 | 1;

export type ExtFieldValue = string | number | bigint | boolean | null | undefined;

/** flag bit 0: response; bit 1: oneway request (RemotingCommand.RPC_TYPE / RPC_ONEWAY). */
export const FLAG_RESPONSE = 1;
export const FLAG_ONEWAY = 2;

/**
 * The version we put in headers: MQVersion.CURRENT_VERSION of 4.9.8 (Version.V4_9_8.ordinal()).
 * Informational only; brokers gate a few features on the client's version.
 */
export const REMOTING_VERSION = 409;

const MAX_OPAQUE = 0x7fffffff;
// As RemotingCommand.requestId: one process-wide counter; wraps before int32 overflow.
let nextOpaque = 0;

export function createOpaque(): number {
  const opaque = nextOpaque;
  nextOpaque = nextOpaque === MAX_OPAQUE ? 0 : nextOpaque + 1;
  return opaque;
}

/** Wire values are strings: numbers, bigints and booleans are stringified, null/undefined dropped. */
export function toExtFields(fields: Record<string, ExtFieldValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (fields === undefined) return out;
  for (const key in fields) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    setExtField(out, key, typeof value === 'string' ? value : String(value));
  }
  return out;
}

/** Assigns without letting a `__proto__` key from the wire touch the prototype. */
export function setExtField(ext: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(ext, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    ext[key] = value;
  }
}

/** Where a command's extFields come from when a typed fast path decoded the header without them. */
export interface ExtFieldsSource {
  decode(): Record<string, string>;
}

export class RemotingCommand {
  /** Serialize type new requests use; Java reads it from rocketmq.serialize.type (default JSON). */
  static defaultSerializeType: SerializeType = SerializeType.JSON;

  private ext: Record<string, string> | null;
  private extSource: ExtFieldsSource | null = null;
  /**
   * Set when `body` is on loan: a channel that writes the command releases it once the bytes are
   * in the kernel (or dropped). A channel that never does only keeps the loan from being reused.
   */
  bodyLease: BodyLease | null = null;

  constructor(
    public code: number,
    public language = 'JAVA',
    public version = REMOTING_VERSION,
    public opaque = 0,
    public flag = 0,
    public remark: string | null = null,
    extFields: Record<string, string> = {},
    public body: Buffer | null = null,
    public serializeType: SerializeType = RemotingCommand.defaultSerializeType,
  ) {
    this.ext = extFields;
  }

  get extFields(): Record<string, string> {
    if (this.ext === null) {
      this.ext = this.extSource!.decode();
      this.extSource = null;
    }
    return this.ext;
  }

  set extFields(value: Record<string, string>) {
    this.ext = value;
    this.extSource = null;
  }

  /** extFields not decoded yet (deferExtFields): a subclass may still write them its own way. */
  protected get extFieldsDeferred(): boolean {
    return this.ext === null;
  }

  /**
   * The JSON header text when a subclass writes it itself (a hot-path response that knows the shape of
   * its fields); undefined for the general encoding (json-header.ts).
   */
  jsonHeaderText(): string | undefined {
    return undefined;
  }

  /**
   * An upper bound of this command's frame when a subclass can write it in place (encodeFrameInto);
   * 0 for the general encoding (remoting-codec.ts).
   */
  maxFrameLength(): number {
    return 0;
  }

  /**
   * Writes the whole frame, length word included, at `pos` (maxFrameLength() bytes of room); returns
   * the position after it. Only called when maxFrameLength() is above 0.
   */
  encodeFrameInto(_out: Buffer, _pos: number): number {
    throw new Error(`command ${this.code} has no in-place encoding`);
  }

  /**
   * extFields decoded on first use: a send's header is read straight into its typed fields on the hot
   * path (send-message-header-json.ts), and the map is built only if something asks for it.
   */
  deferExtFields(source: ExtFieldsSource): void {
    this.ext = null;
    this.extSource = source;
  }

  static request(
    code: number,
    extFields?: Record<string, ExtFieldValue>,
    body?: Buffer | null,
  ): RemotingCommand {
    return new RemotingCommand(
      code,
      'JAVA',
      REMOTING_VERSION,
      createOpaque(),
      0,
      null,
      toExtFields(extFields),
      body ?? null,
      RemotingCommand.defaultSerializeType,
    );
  }

  /** A response to this request: same opaque and serializeType, flag response bit set. */
  createResponse(
    code: number,
    remark?: string | null,
    extFields?: Record<string, ExtFieldValue>,
    body?: Buffer | null,
  ): RemotingCommand {
    return new RemotingCommand(
      code,
      'JAVA',
      REMOTING_VERSION,
      this.opaque,
      FLAG_RESPONSE,
      remark ?? null,
      toExtFields(extFields),
      body ?? null,
      this.serializeType,
    );
  }

  isResponse(): boolean {
    return (this.flag & FLAG_RESPONSE) !== 0;
  }

  isOneway(): boolean {
    return (this.flag & FLAG_ONEWAY) !== 0;
  }

  markOneway(): this {
    this.flag |= FLAG_ONEWAY;
    return this;
  }

  markResponse(): this {
    this.flag |= FLAG_RESPONSE;
    return this;
  }

  toString(): string {
    return (
      `RemotingCommand [code=${this.code}, language=${this.language}, version=${this.version}, ` +
      `opaque=${this.opaque}, flag(B)=${this.flag.toString(2)}, remark=${this.remark}, ` +
      `extFields=${JSON.stringify(this.extFields)}, serializeType=${this.serializeType === 1 ? 'ROCKETMQ' : 'JSON'}, ` +
      `body=${this.body === null ? 0 : this.body.length} bytes]`
    );
  }
}
