import { ErrorCode, type Account, type Participant } from '@ecf/common';
import type { GatewayDeps } from './deps';
import { FabricFailure, type IdentityLabel } from './fabric/types';
import { ApiError, GatewayCode } from './problem';

/** The wallet label of an end user's identity: its CA enrollment id. */
export function accountIdentity(accountId: string): string {
  return `acct-${accountId}`;
}

/**
 * The longest enrollment id the org's CA accepts: it becomes the certificate's CN, which X.509 caps at
 * 64 characters. With the `acct-` prefix an account id may have 59.
 */
export const CA_ENROLLMENT_ID_MAX = 64;

/** Who a hook acts for and until when: the reads a hook makes are signed as the caller. */
export interface HookContext {
  readonly identity: IdentityLabel;
  readonly deadline: number;
}

/** Takes back what a `before` hook did, when the transaction it prepared is definitely not committed. */
export type Undo = () => Promise<void>;

/**
 * Work some operations do around their transaction, at the org's CA and in its wallet: enrolling a new
 * customer before the account exists, revoking an offboarded one, re-enrolling on renewal.
 */
export interface Hooks {
  /**
   * Before the transaction (and so before the idempotency record keeps any transaction). What it
   * changes outside the ledger it must be able to take back: it returns the undo, which the caller runs
   * if the transaction is refused.
   */
  before?(deps: GatewayDeps, input: Record<string, unknown>, context: HookContext): Promise<Undo | void>;
  /** After success; its value replaces the chaincode's result. */
  after?(deps: GatewayDeps, input: Record<string, unknown>, result: unknown): Promise<unknown>;
}

/** By operation id. */
export const HOOKS: Readonly<Record<string, Hooks>> = {
  onboardAccount: {
    async before(deps, input, context) {
      const accountId = String(input.accountId);
      const label = accountIdentity(accountId);
      // Everything the chaincode would refuse for who is asking or which id is named is asked first, by
      // reads: a refused onboarding must not have touched the CA or the wallet.
      if (label.length > CA_ENROLLMENT_ID_MAX) {
        throw new ApiError(
          GatewayCode.INVALID_ARGUMENT,
          `accountId: at most ${CA_ENROLLMENT_ID_MAX - accountIdentity('').length} characters (it names a CA identity)`,
        );
      }
      await requireActiveOperator(deps, context);
      await requireUnusedAccountId(deps, context, accountId);
      const enrollment = await deps.ca.registerAndEnroll({
        enrollmentId: label,
        attributes: { role: String(input.type), account: accountId },
      });
      return () => enrollment.undo();
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
  issueCredential: {
    // The read before it (the chaincode's GetAccount as this operator) proved the account is now this
    // operator's customer; its old certificate, from the exiting operator's CA, names another MSP and is
    // refused by the chaincode from the moment the account moved.
    async after(deps, input, result) {
      const account = result as Account;
      const label = accountIdentity(account.id);
      if (await deps.wallet.has(label)) {
        throw new ApiError(
          GatewayCode.CONFLICT,
          `account ${account.id} already has a credential here; renew it instead`,
        );
      }
      await deps.ca.registerAndEnroll({ enrollmentId: label, attributes: { role: account.type, account: account.id } });
      return { accountId: account.id, identity: label };
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

/** The chaincode's `requireOperator`, asked before any CA work: the org is admitted and active. */
async function requireActiveOperator(deps: GatewayDeps, context: HookContext): Promise<void> {
  const participant = (await deps.fabric.evaluate(context.identity, {
    fn: 'Registry:GetParticipant',
    args: [deps.org.mspId],
    deadline: context.deadline,
  })) as Participant | null;
  if (!participant || typeof participant !== 'object') {
    throw new ApiError(GatewayCode.FORBIDDEN, `${deps.org.mspId} is not an admitted participant`);
  }
  if (participant.status !== 'ACTIVE') {
    throw new ApiError(GatewayCode.FORBIDDEN, `operator ${deps.org.mspId} is ${participant.status.toLowerCase()}`);
  }
}

/**
 * The chaincode's "already exists", asked before any CA work. Another operator's customer reads as
 * FORBIDDEN, which also means the id is taken; the answer is the same 409 the chaincode gives, so it
 * tells nothing more about whose customer it is. An offboarded id is taken for good: its CA identity
 * is revoked, so it could never be enrolled again.
 */
async function requireUnusedAccountId(deps: GatewayDeps, context: HookContext, accountId: string): Promise<void> {
  let account: Account;
  try {
    account = (await deps.fabric.evaluate(context.identity, {
      fn: 'Accounts:GetAccount',
      args: [accountId],
      deadline: context.deadline,
    })) as Account;
  } catch (err) {
    if (chaincodeCode(err) === ErrorCode.NOT_FOUND) return;
    if (chaincodeCode(err) === ErrorCode.FORBIDDEN) {
      throw new ApiError(GatewayCode.CONFLICT, `account ${accountId} already exists`);
    }
    throw err;
  }
  if (account?.status === 'OFFBOARDED') {
    throw new ApiError(
      GatewayCode.CONFLICT,
      `account ${accountId} was offboarded; an offboarded account's id is never reused, choose another`,
    );
  }
  throw new ApiError(GatewayCode.CONFLICT, `account ${accountId} already exists`);
}

function chaincodeCode(err: unknown): string | undefined {
  if (!(err instanceof FabricFailure) || err.kind !== 'chaincode') return undefined;
  return /^([A-Z_]+): /.exec(err.message)?.[1];
}
