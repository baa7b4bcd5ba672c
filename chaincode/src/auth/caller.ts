import { ErrorCode, MarketError, Role, type Account, type Participant } from '@ecf/common';
import { REGULATOR_MSP_ID } from '../consortium';
import type { MarketContext } from '../context';
import { keys } from '../ledger/keys';

/**
 * Who is calling, from the certificate only: the MSP ID the signature was verified against and the
 * attributes the org's CA put in the ecert (`role`, and `account` for end users). Nothing in the
 * arguments can change it.
 */
export type Caller =
  | { kind: 'regulator'; mspId: string }
  | { kind: 'trustee'; mspId: string; participant: Participant }
  | { kind: 'operator'; mspId: string; participant: Participant }
  | {
      kind: 'enduser';
      role: 'investor' | 'issuer';
      mspId: string;
      accountId: string;
      account: Account;
      operator: Participant;
    };

export async function resolveCaller(ctx: MarketContext): Promise<Caller> {
  const mspId = ctx.clientIdentity.getMSPID();
  const role = ctx.clientIdentity.getAttributeValue('role');
  if (!role) throw new MarketError(ErrorCode.FORBIDDEN, 'the certificate carries no role attribute');

  if (mspId === REGULATOR_MSP_ID) {
    if (role === Role.REGULATOR) return { kind: 'regulator', mspId };
    throw new MarketError(ErrorCode.FORBIDDEN, `role ${role} is not a regulator role`);
  }

  const participant = await ctx.ledger.get<Participant>(keys.participant(ctx.stub, mspId));
  if (!participant) throw new MarketError(ErrorCode.FORBIDDEN, `${mspId} is not an admitted participant`);
  if (participant.status === 'REVOKED') throw new MarketError(ErrorCode.FORBIDDEN, `${mspId} has been revoked`);

  if (role === Role.TRUSTEE && participant.kind === 'trustee') return { kind: 'trustee', mspId, participant };
  if (role === Role.OPERATOR && participant.kind === 'operator') return { kind: 'operator', mspId, participant };
  if ((role === Role.INVESTOR || role === Role.ISSUER) && participant.kind === 'operator') {
    const accountId = ctx.clientIdentity.getAttributeValue('account');
    if (!accountId)
      throw new MarketError(ErrorCode.FORBIDDEN, 'an end user certificate must carry an account attribute');
    const account = await ctx.ledger.get<Account>(keys.account(ctx.stub, accountId));
    if (!account || account.operatorMspId !== mspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `account ${accountId} is not a customer of ${mspId}`);
    }
    if (account.type !== role)
      throw new MarketError(ErrorCode.FORBIDDEN, `account ${accountId} is not an ${role} account`);
    return { kind: 'enduser', role, mspId, accountId, account, operator: participant };
  }
  throw new MarketError(ErrorCode.FORBIDDEN, `role ${role} is not valid for ${participant.kind} ${mspId}`);
}

export function requireRegulator(caller: Caller): asserts caller is Extract<Caller, { kind: 'regulator' }> {
  if (caller.kind !== 'regulator') throw new MarketError(ErrorCode.FORBIDDEN, 'only the regulator may do this');
}

export function requireTrustee(caller: Caller): asserts caller is Extract<Caller, { kind: 'trustee' }> {
  if (caller.kind !== 'trustee') throw new MarketError(ErrorCode.FORBIDDEN, 'only a trustee may do this');
  if (caller.participant.status !== 'ACTIVE') {
    throw new MarketError(ErrorCode.FORBIDDEN, `trustee ${caller.mspId} is ${caller.participant.status.toLowerCase()}`);
  }
}

export function requireOperator(caller: Caller): asserts caller is Extract<Caller, { kind: 'operator' }> {
  if (caller.kind !== 'operator') throw new MarketError(ErrorCode.FORBIDDEN, 'only an operator may do this');
  if (caller.participant.status !== 'ACTIVE') {
    throw new MarketError(
      ErrorCode.FORBIDDEN,
      `operator ${caller.mspId} is ${caller.participant.status.toLowerCase()}`,
    );
  }
}

/** Reads of an account's records: its own user, its operator, that operator's trustee, the regulator. */
export function canRead(caller: Caller, account: Account, operatorTrustee: string | undefined): boolean {
  switch (caller.kind) {
    case 'regulator':
      return true;
    case 'trustee':
      return operatorTrustee === caller.mspId;
    case 'operator':
      return account.operatorMspId === caller.mspId;
    case 'enduser':
      return caller.accountId === account.id;
  }
}

export function requireRead(caller: Caller, account: Account, operatorTrustee: string | undefined): void {
  if (!canRead(caller, account, operatorTrustee)) {
    throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not read account ${account.id}`);
  }
}

/** Moving an account's assets: the account's own end user, or its operator acting for its customer. */
export function requireActFor(caller: Caller, account: Account): void {
  const ok =
    (caller.kind === 'enduser' && caller.accountId === account.id) ||
    (caller.kind === 'operator' && caller.mspId === account.operatorMspId && caller.participant.status === 'ACTIVE');
  if (!ok) throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not move assets of account ${account.id}`);
}
