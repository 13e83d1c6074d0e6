/**
 * C/Python `%`-formatting of numbers that must match the Python program byte for byte.
 * @module
 */

const bits = new DataView(new ArrayBuffer(8));

/**
 * C `%.3f` as Python prints it: the exact binary value rounded half-to-even (unlike
 * `toFixed`, which rounds exact ties such as 0.0625 up), `-0.000` for negative values that
 * round to zero, and `nan`/`inf`/`-inf`.
 */
export function formatFixed3(x: number): string {
  // Three per status line: `toFixed` is exact too (no BigInt garbage) except at exact ties,
  // which are the odd multiples of 1/16, and for -0 and values it prints in exponent form.
  const sixteenths = x * 16;
  if (
    Math.abs(x) < 1e21 && !Object.is(x, -0) &&
    !(Number.isInteger(sixteenths) && sixteenths % 2 !== 0)
  ) return x.toFixed(3);
  return exactFixed3(x);
}

/** {@link formatFixed3} for every double, from the exact binary value. */
export function exactFixed3(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  bits.setFloat64(0, x);
  const raw = bits.getBigUint64(0);
  const biased = Number((raw >> 52n) & 0x7ffn);
  const fraction = raw & 0xfffffffffffffn;
  // |x| = mantissa * 2^exponent exactly.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  let thousandths: bigint;
  if (exponent >= 0) {
    thousandths = (mantissa << BigInt(exponent)) * 1000n;
  } else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * 1000n;
    thousandths = num / den;
    const twiceRem = (num % den) * 2n;
    if (twiceRem > den || (twiceRem === den && (thousandths & 1n) === 1n)) thousandths += 1n;
  }
  const digits = thousandths.toString().padStart(4, "0");
  const sign = raw >> 63n ? "-" : "";
  return `${sign}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

/** C `%06d`: zero padded to width 6 including the sign (-1 → `-00001`, 7 → `000007`). */
export function zeroPad6(n: number): string {
  const sign = n < 0 ? "-" : "";
  return sign + String(Math.abs(n)).padStart(6 - sign.length, "0");
}
