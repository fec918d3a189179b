// NumPy array-protocol type strings ('<f4', '|u1', '<U10', 'O8'…), as written in .npy headers
// and joblib's pickled dtypes. Reference: NumPy "Data type objects" / __array_interface__ typestr.

/** Bytes per item, 'object' for object dtype (an embedded pickle), undefined when not understood. */
export function dtypeItemSize(descr: string): number | 'object' | undefined {
  const m = /^[<>|=]?([a-zA-Z])(\d*)(\[[a-zA-Z0-9]+\])?$/.exec(descr.trim());
  if (!m) return undefined;
  const [, kind, digits] = m;
  if (kind === 'O') return 'object';
  const n = digits === '' ? undefined : Number(digits);
  switch (kind) {
    case 'b':
    case 'i':
    case 'u':
    case 'f':
    case 'c':
    case 'M':
    case 'm':
    case 'S':
    case 'V':
    case 'a':
      return n;
    case 'U':
      return n === undefined ? undefined : n * 4;
    case '?':
      return 1;
    default:
      return undefined;
  }
}
