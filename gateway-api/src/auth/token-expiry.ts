import { CUSTOMER_TOKEN_DAYS_DEFAULT, CUSTOMER_TOKEN_DAYS_MAX } from './customer-tokens';

/**
 * When a token made with `gateway-api token create` expires. As with the tokens an operator issues to its
 * customers through the API, every token expires: after 90 days unless `--expires-in` says otherwise, a
 * year at most. Free of Fabric imports: the CLI answers `--help` before anything loads fabric-common.
 */
export const CLI_TOKEN_DAYS_DEFAULT = CUSTOMER_TOKEN_DAYS_DEFAULT;
export const CLI_TOKEN_DAYS_MAX = CUSTOMER_TOKEN_DAYS_MAX;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration such as `90d`, `12h` or `30m` (a bare number is days), in milliseconds, within 1 minute to a year. */
export function parseExpiresIn(text: string): number {
  const m = /^([1-9][0-9]{0,6})([dhm]?)$/.exec(text.trim());
  if (!m) throw new Error(`--expires-in ${text}: a whole number of days, hours or minutes, such as 90d, 12h or 30m`);
  const ms = Number(m[1]) * UNIT_MS[(m[2] || 'd') as keyof typeof UNIT_MS];
  if (ms > CLI_TOKEN_DAYS_MAX * UNIT_MS.d) throw new Error(`--expires-in ${text}: at most ${CLI_TOKEN_DAYS_MAX}d`);
  return ms;
}

/** The expiry of a new token from the CLI's options; `--expires-days N` (older) is `--expires-in Nd`. */
export function tokenExpiry(options: { expiresIn?: string; expiresDays?: string }, now = Date.now()): Date {
  if (options.expiresIn !== undefined && options.expiresDays !== undefined)
    throw new Error('give --expires-in or --expires-days, not both');
  const text = options.expiresIn ?? (options.expiresDays !== undefined ? `${options.expiresDays}d` : undefined);
  return new Date(now + (text === undefined ? CLI_TOKEN_DAYS_DEFAULT * UNIT_MS.d : parseExpiresIn(text)));
}
