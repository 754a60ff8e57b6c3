/** How many offending bytes error messages show (and keep in `details.bytes`). */
export const PREVIEW_LIMIT = 256;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Renders bytes for an error message: a quoted text view (printable ASCII as is, the rest escaped)
 * and, when `withHex`, the hex dump. Callers bound the input to {@link PREVIEW_LIMIT}.
 */
export function describeBytes(bytes: Uint8Array, withHex = true): string {
  let text = '';
  const hex: string[] = [];
  for (const b of bytes) {
    text += escapeByte(b);
    hex.push(HEX[b] as string);
  }
  const quoted = `"${text}"`;
  return withHex ? `${quoted} (${bytes.length} bytes, hex ${hex.join(' ')})` : quoted;
}

function escapeByte(b: number): string {
  if (b === 0x0a) return '\\n';
  if (b === 0x0d) return '\\r';
  if (b === 0x09) return '\\t';
  if (b === 0x22) return '\\"';
  if (b === 0x5c) return '\\\\';
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${HEX[b] as string}`;
}
