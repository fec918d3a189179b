// Pickle opcodes, protocols 0–5, as documented in CPython's Lib/pickletools.py (the reference
// for the format; no code from it is used). Only the byte values and names live here.

export const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  POP: 0x30, // 0
  POP_MARK: 0x31, // 1
  DUP: 0x32, // 2
  FLOAT: 0x46, // F  decimal text line
  INT: 0x49, // I  decimal text line (I00/I01 are booleans)
  BININT: 0x4a, // J  int32
  BININT1: 0x4b, // K  uint8
  LONG: 0x4c, // L  decimal text line
  BININT2: 0x4d, // M  uint16
  NONE: 0x4e, // N
  PERSID: 0x50, // P  text line
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  STRING: 0x53, // S  quoted text line
  BINSTRING: 0x54, // T  int32 length
  SHORT_BINSTRING: 0x55, // U  uint8 length
  UNICODE: 0x56, // V  raw-unicode-escape text line
  BINUNICODE: 0x58, // X  uint32 length, UTF-8
  EMPTY_LIST: 0x5d, // ]
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c  two text lines
  DICT: 0x64, // d
  APPENDS: 0x65, // e
  GET: 0x67, // g  text line
  BINGET: 0x68, // h  uint8
  INST: 0x69, // i  two text lines
  LONG_BINGET: 0x6a, // j  uint32
  LIST: 0x6c, // l
  OBJ: 0x6f, // o
  PUT: 0x70, // p  text line
  BINPUT: 0x71, // q  uint8
  LONG_BINPUT: 0x72, // r  uint32
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  SETITEMS: 0x75, // u
  EMPTY_DICT: 0x7d, // }
  EMPTY_TUPLE: 0x29, // )
  BINFLOAT: 0x47, // G  float64 big-endian
  // protocol 2
  PROTO: 0x80,
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  // protocol 3
  BINBYTES: 0x42, // B  uint32 length
  SHORT_BINBYTES: 0x43, // C  uint8 length
  // protocol 4
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  // protocol 5
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
} as const;

const NAMES: string[] = [];
for (const [name, code] of Object.entries(OP)) NAMES[code] = name;

export function opName(code: number): string {
  return NAMES[code] ?? `0x${code.toString(16).padStart(2, '0')}`;
}

export function isOpcode(code: number): boolean {
  return NAMES[code] !== undefined;
}

/**
 * The opcodes torch's weights_only unpickler (torch/_weights_only_unpickler.py) accepts; a
 * checkpoint written by torch.save (pickle protocol 2) uses no others.
 */
export const TORCH_WEIGHTS_ONLY_OPCODES: ReadonlySet<number> = new Set([
  OP.GLOBAL, OP.NEWOBJ, OP.REDUCE, OP.BUILD, OP.APPEND, OP.APPENDS, OP.SETITEM, OP.SETITEMS, OP.MARK,
  OP.TUPLE, OP.TUPLE1, OP.TUPLE2, OP.TUPLE3, OP.NONE, OP.NEWFALSE, OP.NEWTRUE, OP.EMPTY_TUPLE,
  OP.EMPTY_LIST, OP.EMPTY_DICT, OP.EMPTY_SET, OP.BININT, OP.BININT1, OP.BININT2, OP.BINFLOAT,
  OP.BINUNICODE, OP.SHORT_BINSTRING, OP.BINPERSID, OP.BINGET, OP.LONG_BINGET, OP.BINPUT,
  OP.LONG_BINPUT, OP.LONG1, OP.PROTO, OP.STOP,
]);
