import { add, formatDecimal, fromMinor, subtract, toMinor, type Scaled } from './decimal';
import { maskAccount, type StatementBalance } from './statement';

/** A money token of the trustee and its supply on the ledger (minted minus burned, smallest units). */
export interface TokenSupply {
  readonly tokenId: string;
  readonly currency: string;
  readonly decimals: number;
  readonly supply: bigint;
}

export type PositionStatus = 'MATCHED' | 'BALANCE_MISMATCH' | 'NO_TOKEN' | 'NO_STATEMENT';

/** One currency: the trust accounts that back it and the token they back. */
export interface TrustPosition {
  readonly currency: string;
  /** The trustee's token for the currency; null when it has none. */
  readonly tokenId: string | null;
  /** The trust accounts in this currency, masked to their last four characters. */
  readonly accounts: string[];
  /** Closing balances summed, in currency units (decimal string); null when the statement has none. */
  readonly statementBalance: string | null;
  /** The token's supply in currency units; null when there is no token. */
  readonly tokenSupply: string | null;
  /** The same in the token's smallest unit. */
  readonly tokenSupplyMinor: string | null;
  /** Statement minus supply, in currency units: positive, the bank holds more than the tokens issued. */
  readonly difference: string;
  /** The difference in the token's smallest unit; null when it has finer digits than the token. */
  readonly differenceMinor: string | null;
  readonly status: PositionStatus;
}

export interface TrustAccountReport {
  readonly statementDates: string[];
  readonly positions: TrustPosition[];
  /** The positions that do not match, each with its size. */
  readonly breaks: TrustPosition[];
}

/**
 * The promise that money tokens are backed by real funds, checked: for each currency, the closing
 * balances of the trustee's trust accounts against the supply of its token. Several accounts in one
 * currency back one token together. Exact throughout (decimal.ts).
 */
export function reconcileTrustAccounts(
  balances: readonly StatementBalance[],
  tokens: readonly TokenSupply[],
): TrustAccountReport {
  const currencies = [...new Set([...balances.map((b) => b.currency), ...tokens.map((t) => t.currency)])].sort();
  const positions = currencies.map((currency) => {
    const held = balances.filter((b) => b.currency === currency);
    const token = tokens.find((t) => t.currency === currency);
    const statement = held.reduce<Scaled | undefined>((sum, b) => (sum ? add(sum, b.closing) : b.closing), undefined);
    const supply = token ? fromMinor(token.supply, token.decimals) : undefined;
    const difference = subtract(statement ?? { value: 0n, scale: 0 }, supply ?? { value: 0n, scale: 0 });
    const digits = token?.decimals ?? 0;
    const status: PositionStatus = !token
      ? 'NO_TOKEN'
      : !statement
        ? 'NO_STATEMENT'
        : difference.value === 0n
          ? 'MATCHED'
          : 'BALANCE_MISMATCH';
    const differenceMinor = token ? toMinor(difference, token.decimals) : undefined;
    return {
      currency,
      tokenId: token?.tokenId ?? null,
      accounts: held.map((b) => maskAccount(b.account)),
      statementBalance: statement ? formatDecimal(statement, digits) : null,
      tokenSupply: supply ? formatDecimal(supply, digits) : null,
      tokenSupplyMinor: token ? token.supply.toString() : null,
      difference: formatDecimal(difference, digits),
      differenceMinor: differenceMinor === undefined ? null : differenceMinor.toString(),
      status,
    };
  });
  return {
    statementDates: [...new Set(balances.map((b) => b.date))].sort(),
    positions,
    breaks: positions.filter((p) => p.status !== 'MATCHED'),
  };
}
