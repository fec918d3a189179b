// A symbolic pickle virtual machine. It walks the opcodes of one pickle stream exactly as an
// unpickler would move its stack, memo and marks, but instead of importing and calling it
// records WHAT would be imported (GLOBAL, STACK_GLOBAL, INST, EXT*) and WHICH callable every
// REDUCE / OBJ / NEWOBJ / NEWOBJ_EX / INST / BUILD would invoke, with symbolic arguments.
// Nothing is ever resolved against Python: names stay strings.
//
// Format reference: CPython Lib/pickletools.py (opcode semantics) and PEP 3154 (framing).
import * as source from '../source';
import type { Cursor } from '../source';
import { dtypeItemSize } from '../numpy-dtype';
import { OP, opName } from './opcodes';
import * as values from './values';
import type { Call, GlobalRef, Ref, V } from './values';

export type { Call, GlobalRef, Ref, V } from './values';
export { render } from './values';

export interface Anomaly {
  /** 'frame': FRAME lengths that do not match the opcodes; 'build-on-import': BUILD applied to an import itself. */
  kind: 'frame' | 'build-on-import';
  offset: number;
  opcode?: string;
  message: string;
}

export interface StreamResult {
  start: number;
  /** Position after STOP, or of the opcode where the stream broke. */
  end: number;
  stopped: boolean;
  error?: { offset: number; opcode?: string; message: string };
  protocol?: number;
  globals: GlobalRef[];
  calls: Call[];
  anomalies: Anomaly[];
  /** First offset of every opcode used. */
  opcodes: Map<number, number>;
  result?: V;
  opCount: number;
}

export interface MachineEnv {
  /** Called often; throws ScanAbort when the time budget is gone. */
  tick(): void;
  /** copyreg extension registry seen so far in this file (add_extension calls register codes). */
  extensions: Map<number, { module: string; name: string }>;
}

const STR_READ = 64 * 1024; // longer strings are skipped unread (their Ref allows a later read)
const KEEP_ITEMS = 64; // container items kept for rendering and argument inspection
const MAX_STACK = 1_000_000;
const MAX_MARKS = 100_000;
const MAX_MEMO = 2_000_000;
const MAX_LINE = 64 * 1024 - 2;
const MAX_INLINE_DEPTH = 4;
// Opcodes as module-local constants: the switch below compares against each, once per opcode.
const {
  ADDITEMS, APPEND, APPENDS, BINBYTES, BINBYTES8, BINFLOAT, BINGET, BININT, BININT1, BININT2, BINPERSID,
  BINPUT, BINSTRING, BINUNICODE, BINUNICODE8, BUILD, BYTEARRAY8, DICT, DUP, EMPTY_DICT, EMPTY_LIST,
  EMPTY_SET, EMPTY_TUPLE, EXT1, EXT2, EXT4, FLOAT, FRAME, FROZENSET, GET, GLOBAL, INST, INT, LIST, LONG,
  LONG1, LONG4, LONG_BINGET, LONG_BINPUT, MARK, MEMOIZE, NEWFALSE, NEWOBJ, NEWOBJ_EX, NEWTRUE, NEXT_BUFFER,
  NONE, OBJ, PERSID, POP, POP_MARK, PROTO, PUT, READONLY_BUFFER, REDUCE, SETITEM, SETITEMS, SHORT_BINBYTES,
  SHORT_BINSTRING, SHORT_BINUNICODE, STACK_GLOBAL, STOP, STRING, TUPLE, TUPLE1, TUPLE2, TUPLE3, UNICODE,
} = OP;
/** Opcodes whose payload the pickler writes outside frames (PEP 3154 large objects). */
const LARGE_PAYLOAD = new Set<number>([BINBYTES8, BINUNICODE8, BYTEARRAY8, BINBYTES, BINUNICODE]);

// Module-local copies of imports used per opcode (transpiled ES imports are property reads, often getters).
const { ScanAbort, Truncated, decodeUtf8, latin1 } = source;
const { BUFFER_V, FALSE_V, FLOAT_V, NONE_V, PID_V, SET_V, SMALL_INTS, TRUE_V, decodeLong, describe, int, unescapePython, unescapeRawUnicode } = values;

class Break extends Error {}

/** Runs one stream from the cursor's position to its STOP (or to where it breaks). Never throws except ScanAbort. */
export function runPickle(cur: Cursor, env: MachineEnv, inlineDepth = 0): StreamResult {
  return new Machine(cur, env, inlineDepth).run();
}

class Machine {
  private readonly res: StreamResult;
  private stack: V[] = [];
  private readonly marks: V[][] = [];
  private readonly memo = new Map<number, V>();
  private frameEnd: number | undefined;
  private frameReported = false;
  private opStart: number;
  private op = -1;
  /** First offset of each opcode (-1: unused); a typed array is cheaper than a Map per opcode. */
  private readonly firstAt = new Float64Array(256).fill(-1);
  /** Work that must follow the frame check of the current opcode (joblib's inline array data). */
  private after: (() => void) | undefined;

  constructor(
    private readonly cur: Cursor,
    private readonly env: MachineEnv,
    private readonly inlineDepth: number,
  ) {
    this.res = { start: cur.pos, end: cur.pos, stopped: false, globals: [], calls: [], anomalies: [], opcodes: new Map(), opCount: 0 };
    this.opStart = cur.pos;
  }

  private finish(): StreamResult {
    for (let code = 0; code < 256; code++) if (this.firstAt[code] >= 0) this.res.opcodes.set(code, this.firstAt[code]);
    return this.res;
  }

  private brk(message: string): never {
    throw new Break(message);
  }

  private push(v: V) {
    if (this.stack.length >= MAX_STACK) this.brk(`stack grows beyond ${MAX_STACK} items`);
    this.stack.push(v);
  }

  private pop(): V {
    const v = this.stack.pop();
    if (v === undefined) this.brk('stack underflow');
    return v as V;
  }

  private top(): V {
    if (this.stack.length === 0) this.brk('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): V[] {
    const items = this.stack;
    const prev = this.marks.pop();
    if (prev === undefined) this.brk('no MARK to pop to');
    this.stack = prev as V[];
    return items;
  }

  private frameAnomaly(message: string) {
    if (this.frameReported) return;
    this.frameReported = true;
    this.res.anomalies.push({ kind: 'frame', offset: this.opStart, opcode: opName(this.op), message });
  }

  private str(n: number, enc: Ref['enc']): V {
    const off = this.cur.pos;
    if (n > this.cur.remaining) throw new Truncated(off);
    if (n <= STR_READ) {
      const b = this.cur.bytes(n);
      return { k: 'str', v: enc === 'utf8' ? decodeUtf8(b) : latin1(b), complete: true, ref: { off, len: n, enc } };
    }
    this.cur.skip(n);
    return { k: 'str', v: '', complete: false, ref: { off, len: n, enc } };
  }

  private bytes(n: number): V {
    const off = this.cur.pos;
    if (n > this.cur.remaining) throw new Truncated(off);
    this.cur.skip(n);
    return { k: 'bytes', len: n, ref: { off, len: n, enc: 'raw' } };
  }

  private bigLen(n: bigint): number {
    if (n > BigInt(this.cur.remaining)) throw new Truncated(this.cur.pos, 'length beyond the end of the data');
    return Number(n);
  }

  private textLine(what: string): string {
    const b = this.cur.line(MAX_LINE);
    if (b === undefined) this.brk(`${what} has no end of line`);
    return decodeUtf8(b as Uint8Array);
  }

  private intLine(what: string): bigint {
    const text = this.textLine(what).trim().replace(/L$/, '');
    if (!/^[-+]?\d+$/.test(text)) this.brk(`${what} is not an integer: ${JSON.stringify(text.slice(0, 20))}`);
    return BigInt(text);
  }

  private memoIndex(i: bigint | number): number {
    const n = Number(i);
    if (n < 0) this.brk('negative memo index');
    return n;
  }

  private memoPut(i: number) {
    if (this.memo.size >= MAX_MEMO && !this.memo.has(i)) this.brk(`memo grows beyond ${MAX_MEMO} entries`);
    this.memo.set(i, this.top());
  }

  private memoGet(i: number) {
    const v = this.memo.get(i);
    if (v === undefined) this.brk(`memo has no entry ${i}`);
    this.push(v as V);
  }

  private addGlobal(g: GlobalRef): V {
    this.res.globals.push(g);
    return { k: 'global', g };
  }

  private addCall(fn: V, args: V): V {
    const call: Call = { opcode: opName(this.op), offset: this.opStart, fn, args }
    this.res.calls.push(call);
    return { k: 'obj', call };
  }

  private tuple(items: V[]): V {
    return { k: 'tuple', items: items.length > KEEP_ITEMS ? items.slice(0, KEEP_ITEMS) : items, n: items.length };
  }

  /** Runs to STOP or to the break; a ScanAbort (budget) carries the partial result out. */
  run(): StreamResult {
    try {
      for (;;) {
        if ((this.res.opCount & 1023) === 0) this.env.tick();
        this.res.opCount++;
        this.opStart = this.cur.pos;
        this.op = this.cur.u8();
        if (this.firstAt[this.op] < 0) this.firstAt[this.op] = this.opStart;
        if (this.frameEnd !== undefined && this.opStart >= this.frameEnd && this.op !== FRAME && !LARGE_PAYLOAD.has(this.op)) {
          this.frameAnomaly(`${opName(this.op)} at offset ${this.opStart} lies after the end of the frame declared to end at ${this.frameEnd}`);
          this.frameEnd = undefined;
        }
        switch (this.op) {
          case PROTO: {
            const v = this.cur.u8();
            if (v > 5) this.brk(`unsupported pickle protocol ${v}`);
            this.res.protocol ??= v;
            break;
          }
          case FRAME: {
            const n = this.cur.u64();
            if (this.frameEnd !== undefined && this.opStart < this.frameEnd) this.frameAnomaly(`FRAME at offset ${this.opStart} starts ${this.frameEnd - this.opStart} bytes before the previous frame ends`);
            if (n > BigInt(this.cur.remaining)) {
              this.frameAnomaly(`FRAME at offset ${this.opStart} declares ${n} bytes but only ${this.cur.remaining} follow`);
              this.frameEnd = undefined;
            } else this.frameEnd = this.cur.pos + Number(n);
            break;
          }
          case STOP: {
            if (this.frameEnd !== undefined && this.cur.pos !== this.frameEnd) {
              this.frameAnomaly(`the stream stops at offset ${this.cur.pos} but its last FRAME declared it to end at ${this.frameEnd}`);
            }
            this.res.result = this.pop();
            this.res.stopped = true;
            this.res.end = this.cur.pos;
            return this.finish();
          }
          // ---- constants
          case NONE:
            this.push(NONE_V);
            break;
          case NEWTRUE:
          case NEWFALSE:
            this.push(this.op === NEWTRUE ? TRUE_V : FALSE_V);
            break;
          case INT: {
            const text = this.textLine('INT').trim();
            if (text === '01' || text === '00') this.push(text === '01' ? TRUE_V : FALSE_V);
            else if (/^[-+]?\d+$/.test(text)) this.push(int(BigInt(text)));
            else this.brk(`INT is not an integer: ${JSON.stringify(text.slice(0, 20))}`);
            break;
          }
          case LONG:
            this.push(int(this.intLine('LONG')));
            break;
          case BININT:
            this.push(int(this.cur.i32()));
            break;
          case BININT1:
            this.push(SMALL_INTS[this.cur.u8()]);
            break;
          case BININT2:
            this.push(int(this.cur.u16()));
            break;
          case LONG1:
          case LONG4: {
            const n = this.op === LONG1 ? this.cur.u8() : this.cur.i32();
            if (n < 0) this.brk('LONG4 with a negative length');
            this.push(int(n <= 64 ? decodeLong(this.cur.bytes(n)) : (this.cur.skip(n), 0n)));
            break;
          }
          case FLOAT: {
            const text = this.textLine('FLOAT').trim();
            if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf|nan|infinity)$/i.test(text)) this.brk('FLOAT is not a number');
            this.push(FLOAT_V);
            break;
          }
          case BINFLOAT:
            this.cur.skip(8);
            this.push(FLOAT_V);
            break;
          // ---- strings and bytes
          case STRING: {
            const text = latin1(this.cur.line(MAX_LINE) ?? this.brk('STRING has no end of line'));
            const q = text[0];
            if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) this.brk('STRING is not quoted');
            this.push({ k: 'str', v: unescapePython(text.slice(1, -1)), complete: true });
            break;
          }
          case UNICODE: {
            const text = latin1(this.cur.line(MAX_LINE) ?? this.brk('UNICODE has no end of line'));
            this.push({ k: 'str', v: unescapeRawUnicode(text), complete: true });
            break;
          }
          case BINSTRING: {
            const n = this.cur.i32();
            if (n < 0) this.brk('BINSTRING with a negative length');
            this.push(this.str(n, 'raw'));
            break;
          }
          case SHORT_BINSTRING:
            this.push(this.str(this.cur.u8(), 'raw'));
            break;
          case BINUNICODE:
            this.push(this.str(this.cur.u32(), 'utf8'));
            break;
          case SHORT_BINUNICODE:
            this.push(this.str(this.cur.u8(), 'utf8'));
            break;
          case BINUNICODE8:
            this.push(this.str(this.bigLen(this.cur.u64()), 'utf8'));
            break;
          case BINBYTES:
            this.push(this.bytes(this.cur.u32()));
            break;
          case SHORT_BINBYTES:
            this.push(this.bytes(this.cur.u8()));
            break;
          case BINBYTES8:
          case BYTEARRAY8:
            this.push(this.bytes(this.bigLen(this.cur.u64())));
            break;
          case NEXT_BUFFER:
            this.push(BUFFER_V);
            break;
          case READONLY_BUFFER:
            this.top();
            break;
          // ---- containers
          case EMPTY_TUPLE:
            this.push(this.tuple([]));
            break;
          case TUPLE:
            this.push(this.tuple(this.popMark()));
            break;
          case TUPLE1: {
            const a = this.pop();
            this.push(this.tuple([a]));
            break;
          }
          case TUPLE2: {
            const b = this.pop();
            const a = this.pop();
            this.push(this.tuple([a, b]));
            break;
          }
          case TUPLE3: {
            const c = this.pop();
            const b = this.pop();
            const a = this.pop();
            this.push(this.tuple([a, b, c]));
            break;
          }
          case EMPTY_LIST:
            this.push({ k: 'list', items: [], n: 0 });
            break;
          case LIST: {
            const items = this.popMark();
            this.push({ k: 'list', items: items.slice(0, KEEP_ITEMS), n: items.length });
            break;
          }
          case EMPTY_DICT:
            this.push({ k: 'dict', n: 0, entries: new Map() });
            break;
          case DICT: {
            const d: V = { k: 'dict', n: 0, entries: new Map() };
            this.setItems(d, this.popMark());
            this.push(d);
            break;
          }
          case EMPTY_SET:
            this.push(SET_V);
            break;
          case FROZENSET:
            this.popMark();
            this.push(SET_V);
            break;
          case APPEND: {
            const item = this.pop();
            this.appendTo(this.top(), [item]);
            break;
          }
          case APPENDS: {
            const items = this.popMark();
            this.appendTo(this.top(), items);
            break;
          }
          case ADDITEMS: {
            const items = this.popMark();
            const target = this.top();
            if (target.k !== 'set') this.addCall(target, this.tuple(items));
            break;
          }
          case SETITEM: {
            const v = this.pop();
            const k = this.pop();
            this.setItems(this.top(), [k, v]);
            break;
          }
          case SETITEMS: {
            const items = this.popMark();
            this.setItems(this.top(), items);
            break;
          }
          // ---- this.stack and this.memo
          case MARK:
            if (this.marks.length >= MAX_MARKS) this.brk(`more than ${MAX_MARKS} nested MARKs`);
            this.marks.push(this.stack);
            this.stack = [];
            break;
          case POP:
            if (this.stack.length > 0) this.stack.pop();
            else this.popMark();
            break;
          case POP_MARK:
            this.popMark();
            break;
          case DUP:
            this.push(this.top());
            break;
          case PUT:
            this.memoPut(this.memoIndex(this.intLine('PUT')));
            break;
          case BINPUT:
            this.memoPut(this.cur.u8());
            break;
          case LONG_BINPUT:
            this.memoPut(this.cur.u32());
            break;
          case MEMOIZE:
            this.memoPut(this.memo.size);
            break;
          case GET:
            this.memoGet(this.memoIndex(this.intLine('GET')));
            break;
          case BINGET:
            this.memoGet(this.cur.u8());
            break;
          case LONG_BINGET:
            this.memoGet(this.cur.u32());
            break;
          // ---- imports
          case GLOBAL: {
            const module = this.textLine('GLOBAL module');
            const name = this.textLine('GLOBAL name');
            this.push(this.addGlobal({ module, name, opcode: 'GLOBAL', offset: this.opStart, resolved: true }));
            break;
          }
          case STACK_GLOBAL: {
            const name = this.pop();
            const module = this.pop();
            const literal = (v: V) => (v.k === 'str' && v.complete ? v.v : undefined);
            const m = literal(module);
            const n = literal(name);
            const why = m === undefined || n === undefined ? `operands are ${describe(module)} and ${describe(name)}, not string literals` : undefined;
            this.push(this.addGlobal({ module: m ?? '?', name: n ?? '?', opcode: 'STACK_GLOBAL', offset: this.opStart, resolved: why === undefined, why }));
            break;
          }
          case EXT1:
          case EXT2:
          case EXT4: {
            const code = this.op === EXT1 ? this.cur.u8() : this.op === EXT2 ? this.cur.u16() : this.cur.i32();
            const known = this.env.extensions.get(code);
            this.push(
              this.addGlobal(
                known
                  ? { ...known, opcode: opName(this.op), offset: this.opStart, resolved: true, why: `extension code ${code} registered by copyreg.add_extension earlier in the file` }
                  : { module: '?', name: `<extension ${code}>`, opcode: opName(this.op), offset: this.opStart, resolved: false, why: `extension code ${code} is not in the copyreg registry` },
              ),
            );
            break;
          }
          // ---- calls
          case REDUCE: {
            const args = this.pop();
            const fn = this.pop();
            noteExtension(fn, args, this.env);
            this.push(this.addCall(fn, args));
            break;
          }
          case NEWOBJ: {
            const args = this.pop();
            const cls = this.pop();
            this.push(this.addCall(cls, args));
            break;
          }
          case NEWOBJ_EX: {
            const kwargs = this.pop();
            const args = this.pop();
            const cls = this.pop();
            this.push(this.addCall(cls, this.tuple([args, kwargs])));
            break;
          }
          case OBJ: {
            const items = this.popMark();
            if (items.length === 0) this.brk('OBJ without a class');
            this.push(this.addCall(items[0], this.tuple(items.slice(1))));
            break;
          }
          case INST: {
            const module = this.textLine('INST module');
            const name = this.textLine('INST name');
            const cls = this.addGlobal({ module, name, opcode: 'INST', offset: this.opStart, resolved: true });
            this.push(this.addCall(cls, this.tuple(this.popMark())));
            break;
          }
          case BUILD: {
            const state = this.pop();
            const inst = this.top();
            this.addCall(inst, state);
            if (inst.k === 'global') {
              this.res.anomalies.push({ kind: 'build-on-import', offset: this.opStart, opcode: 'BUILD', message: `BUILD at offset ${this.opStart} sets attributes on the imported ${inst.g.module}.${inst.g.name} itself, not on an instance` });
            }
            if (isJoblibArray(inst) && state.k === 'dict') this.after = () => this.skipJoblibArray(state);
            break;
          }
          case PERSID:
            this.textLine('PERSID');
            this.push(PID_V);
            break;
          case BINPERSID:
            this.pop();
            this.push(PID_V);
            break;
          default:
            this.brk(`invalid opcode 0x${this.op.toString(16).padStart(2, '0')}`);
        }
        if (this.frameEnd !== undefined && this.opStart < this.frameEnd && this.cur.pos > this.frameEnd) {
          this.frameAnomaly(`${opName(this.op)} at offset ${this.opStart} runs ${this.cur.pos - this.frameEnd} bytes past the end of its frame (${this.frameEnd})`);
          this.frameEnd = undefined;
        }
        if (this.after) {
          const work = this.after;
          this.after = undefined;
          work();
          // joblib commits the frame before writing array data; what follows starts a new frame
          if (this.frameEnd !== undefined && this.cur.pos > this.frameEnd) this.frameEnd = undefined;
        }
      }
    } catch (e) {
      if (e instanceof ScanAbort) {
        // keep what was found before the budget ran out; the outermost machine's view wins
        e.partial = this.finish();
        throw e;
      }
      const message = e instanceof Break ? e.message : e instanceof Truncated ? `${opName(this.op)} at offset ${this.opStart} needs more bytes than the data holds (truncated)` : `unreadable at offset ${this.opStart}: ${(e as Error).message}`;
      if (this.op === -1 && e instanceof Truncated) this.res.error = { offset: this.opStart, message: 'no data' };
      else this.res.error = { offset: this.opStart, opcode: this.op >= 0 ? opName(this.op) : undefined, message };
      this.res.end = this.opStart;
      return this.finish();
    }
  }

  private appendTo(target: V, items: V[]) {
    if (target.k === 'list') {
      for (const it of items) if (target.items.length < KEEP_ITEMS) target.items.push(it);
      target.n += items.length;
    } else this.addCall(target, this.tuple(items)); // list.extend/append on anything else calls that object's method
  }

  private setItems(target: V, items: V[]) {
    if (items.length % 2 !== 0) this.brk('odd number of items for a dict');
    if (target.k !== 'dict') {
      this.addCall(target, this.tuple(items)); // __setitem__ of an arbitrary object runs its code
      return;
    }
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (key.k === 'str' && target.entries.size < KEEP_ITEMS) target.entries.set(key.v, items[i + 1]);
    }
    target.n += items.length / 2;
  }

  // joblib writes numpy array data inline, right this.after the BUILD of a NumpyArrayWrapper
  // (joblib/numpy_pickle.py); an unpickler reads it from the file at that point, so must we.
  private skipJoblibArray(state: Extract<V, { k: 'dict' }>) {
    const dtype = state.entries.get('dtype');
    const descr = dtype?.k === 'obj' && dtype.call.args.k === 'tuple' && dtype.call.args.items[0]?.k === 'str' ? (dtype.call.args.items[0] as { v: string }).v : dtype?.k === 'str' ? dtype.v : undefined;
    const itemsize = descr === undefined ? undefined : dtypeItemSize(descr);
    if (itemsize === 'object') {
      if (this.inlineDepth >= MAX_INLINE_DEPTH) this.brk('joblib object arrays nested too deeply');
      const inner = runPickle(this.cur, this.env, this.inlineDepth + 1);
      this.res.globals.push(...inner.globals);
      this.res.calls.push(...inner.calls);
      this.res.anomalies.push(...inner.anomalies);
      for (const [code, at] of inner.opcodes) if (this.firstAt[code] < 0) this.firstAt[code] = at;
      if (inner.error) this.brk(`joblib object array at offset ${inner.start}: ${inner.error.message}`);
      return;
    }
    const shape = state.entries.get('shape');
    if (itemsize === undefined || shape?.k !== 'tuple' || shape.items.length !== shape.n || !shape.items.every((d) => d.k === 'int')) {
      this.brk(`joblib array data of unknown size (dtype ${descr ?? '?'})`);
      return;
    }
    let n = BigInt(itemsize);
    for (const d of shape.items) n *= BigInt((d as { v: number | bigint }).v);
    const align = state.entries.get('numpy_array_alignment_bytes');
    if (align?.k === 'int') this.cur.skip(this.cur.u8());
    this.cur.skip(this.bigLen(n));
  }
}

function isJoblibArray(v: V): boolean {
  return v.k === 'obj' && v.call.fn.k === 'global' && v.call.fn.g.module === 'joblib.numpy_pickle' && v.call.fn.g.name === 'NumpyArrayWrapper';
}

/** copyreg.add_extension(module, name, code) inside the stream makes later EXT opcodes resolvable. */
function noteExtension(fn: V, args: V, env: MachineEnv) {
  if (fn.k !== 'global' || !['copyreg', 'copy_reg'].includes(fn.g.module) || fn.g.name !== 'add_extension') return;
  if (args.k !== 'tuple' || args.items.length !== 3) return;
  const [m, n, c] = args.items;
  if (m.k === 'str' && n.k === 'str' && c.k === 'int') env.extensions.set(Number(c.v), { module: m.v, name: n.v });
}

