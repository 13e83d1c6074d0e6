/**
 * Quoted-printable (RFC 2045 §6.7) for mail bodies: any text, including status lines longer
 * than SMTP's 998-byte line limit and non-ASCII commands, travels as short 7-bit lines.
 * @module
 */

const MAX = 76;
const hex = (b: number) => `=${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** Encodes `text` (lines separated by `\n`); the result's lines end with CRLF. */
export function quotedPrintable(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const out: string[] = [];
  let line = "";
  const put = (token: string) => {
    // A soft break ("=" at the end) keeps every encoded line within 76 characters.
    if (line.length + token.length > MAX - 1) {
      out.push(line + "=\r\n");
      line = "";
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 10) {
      out.push(line + "\r\n");
      line = "";
      continue;
    }
    const atEnd = i + 1 === bytes.length || bytes[i + 1] === 10;
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !atEnd);
    put(literal ? String.fromCharCode(b) : hex(b));
  }
  if (line !== "") out.push(line);
  return out.join("");
}
