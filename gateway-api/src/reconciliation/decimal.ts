/**
 * Exact decimal amounts for reconciliation: a bank states money in currency units with its own number of
 * fraction digits, a money token counts smallest units of its own `decimals`. Both become a bigint at a
 * common scale before they are compared; nothing passes through a floating-point number.
 */
export interface Scaled {
  /** The amount times 10^scale. */
  readonly value: bigint;
  readonly scale: number;
}

const DECIMAL = /^(-?)(\d{1,30})(?:\.(\d{1,12}))?$/;

/** A decimal string ("1234.50", "-3", "0.005") as an exact scaled integer; anything else is refused. */
export function parseDecimal(text: string, what: string): Scaled {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new StatementError(`${what} is not a decimal amount`);
  const [, sign = '', whole = '0', fraction = ''] = m;
  const value = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
  return { value, scale: fraction.length };
}

/** A token's smallest units as a scaled amount in currency units. */
export function fromMinor(minor: bigint, decimals: number): Scaled {
  return { value: minor, scale: decimals };
}

export function rescale(a: Scaled, scale: number): bigint {
  if (scale < a.scale) throw new RangeError('rescale only adds fraction digits');
  return a.value * 10n ** BigInt(scale - a.scale);
}

export function add(a: Scaled, b: Scaled): Scaled {
  const scale = Math.max(a.scale, b.scale);
  return { value: rescale(a, scale) + rescale(b, scale), scale };
}

export function subtract(a: Scaled, b: Scaled): Scaled {
  return add(a, { value: -b.value, scale: b.scale });
}

/** "1234.50" with at least `minScale` fraction digits (the token's decimals), more only where needed. */
export function formatDecimal(a: Scaled, minScale = 0): string {
  let { value, scale } = a;
  while (scale > minScale && value % 10n === 0n) {
    value /= 10n;
    scale--;
  }
  if (scale < minScale) {
    value *= 10n ** BigInt(minScale - scale);
    scale = minScale;
  }
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** The amount in smallest units of a token with `decimals`, or undefined when it has finer digits. */
export function toMinor(a: Scaled, decimals: number): bigint | undefined {
  if (a.scale <= decimals) return rescale(a, decimals);
  const divisor = 10n ** BigInt(a.scale - decimals);
  return a.value % divisor === 0n ? a.value / divisor : undefined;
}

/** A statement or register file that cannot be read as one: the message names the place, never a value. */
export class StatementError extends Error {
  override readonly name = 'StatementError';
}
