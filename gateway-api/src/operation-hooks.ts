import type { GatewayDeps } from './deps';

/** The wallet label of an end user's identity: its CA enrollment id. */
export function accountIdentity(accountId: string): string {
  return `acct-${accountId}`;
}

/**
 * Work some operations do around their transaction, at the org's CA and in its wallet: enrolling a new
 * customer before the account exists, revoking an offboarded one, re-enrolling on renewal.
 */
export interface Hooks {
  /** Before the transaction (and so before the idempotency record keeps any transaction). */
  before?(deps: GatewayDeps, input: Record<string, unknown>): Promise<void>;
  /** After success; its value replaces the chaincode's result. */
  after?(deps: GatewayDeps, input: Record<string, unknown>, result: unknown): Promise<unknown>;
}

/** By operation id. */
export const HOOKS: Readonly<Record<string, Hooks>> = {
  onboardAccount: {
    async before(deps, input) {
      const accountId = String(input.accountId);
      await deps.ca.registerAndEnroll({
        enrollmentId: accountIdentity(accountId),
        attributes: { role: String(input.type), account: accountId },
      });
    },
    after: async (_deps, input) => ({ accountId: input.accountId, identity: accountIdentity(String(input.accountId)) }),
  },
  setAccountStatus: {
    async after(deps, input, result) {
      if (input.status === 'OFFBOARDED') {
        const label = accountIdentity(String(input.accountId));
        deps.tokens.revoke({ identity: label });
        if (await deps.wallet.has(label)) await deps.ca.revoke(label, 'cessationofoperation');
      }
      return result;
    },
  },
  renewCredential: {
    async after(deps, input) {
      const label = accountIdentity(String(input.accountId));
      const { notAfter } = await deps.ca.reenroll(label);
      return { accountId: input.accountId, identity: label, notAfter };
    },
  },
};
