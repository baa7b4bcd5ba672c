import { ComplianceCode, type Account, type Asset, type Participant, type TransferCheck } from '@ecf/common';

/** Everything a movement's compliance depends on, read before the decision (no ledger access here). */
export interface TransferFacts {
  readonly from: Account;
  readonly to: Account;
  readonly asset: Asset;
  readonly amount: bigint;
  readonly fromBalance: bigint;
  /** The part of the sender's balance the regulator has frozen. */
  readonly fromFrozen: bigint;
  readonly fromOperator: Participant;
  readonly toOperator: Participant;
  readonly custodian: Participant;
  /** Units of this class the receiver already acquired this calendar year (retail cap). */
  readonly receiverCapUsed: bigint;
  /** Transaction time, epoch seconds. */
  readonly now: number;
}

/**
 * A halt is in force until the regulator lifts it, or, for a circuit-breaker halt, until its cooling period ends.
 * A class locked by a corporate action or delisted does not move either, whatever the regulator's halt says:
 * a resume in the middle of a split would mix scaled and unscaled units (decisions 52, 54).
 */
export function isHalted(asset: Asset, now: number): boolean {
  if (asset.lockedBy !== undefined || asset.delistedAt !== undefined) return true;
  return asset.halted && (asset.haltedUntil === undefined || now < asset.haltedUntil);
}

const ok: TransferCheck = { allowed: true, code: ComplianceCode.OK, message: 'transfer allowed' };
const refuse = (code: ComplianceCode, message: string): TransferCheck => ({ allowed: false, code, message });

/** Can the receiver hold this asset at all (used for transfers, deposits and issuance alike)? */
export function checkReceiver(
  to: Account,
  toOperator: Participant,
  asset: Asset,
  custodian: Participant,
  amount: bigint,
  capUsed: bigint,
  now: number,
): TransferCheck {
  if (to.status !== 'ACTIVE')
    return refuse(ComplianceCode.RECEIVER_NOT_ACTIVE, `account ${to.id} is ${to.status.toLowerCase()}`);
  if (to.frozen) return refuse(ComplianceCode.RECEIVER_FROZEN, `account ${to.id} is frozen`);
  if (now > to.kyc.validUntil) return refuse(ComplianceCode.RECEIVER_KYC_EXPIRED, `KYC of ${to.id} expired`);
  if (toOperator.status !== 'ACTIVE') {
    return refuse(
      ComplianceCode.RECEIVER_OPERATOR_SUSPENDED,
      `operator ${toOperator.mspId} is ${toOperator.status.toLowerCase()}`,
    );
  }
  if (custodian.status !== 'ACTIVE') {
    return refuse(
      ComplianceCode.CUSTODIAN_SUSPENDED,
      `custodian ${custodian.mspId} is ${custodian.status.toLowerCase()}`,
    );
  }
  if (toOperator.trusteeMspId !== asset.trusteeMspId) {
    return refuse(
      ComplianceCode.CUSTODY_MISMATCH,
      `${asset.id} is held at ${asset.trusteeMspId}, not ${to.id}'s trustee`,
    );
  }
  if (isHalted(asset, now)) return refuse(ComplianceCode.INSTRUMENT_HALTED, `${asset.id} is halted`);
  if (asset.kind === 'equity' && to.type === 'investor') {
    if (!(asset.allowedInvestorClasses ?? []).includes(to.kyc.investorClass)) {
      return refuse(
        ComplianceCode.INVESTOR_CLASS_NOT_ALLOWED,
        `${to.kyc.investorClass} investors may not hold ${asset.id}`,
      );
    }
    if (to.kyc.investorClass === 'retail' && asset.retailCapPerYear !== undefined) {
      const cap = BigInt(asset.retailCapPerYear);
      if (capUsed + amount > cap) {
        return refuse(
          ComplianceCode.INVESTMENT_CAP_EXCEEDED,
          `retail cap of ${cap} units of ${asset.id} per year exceeded`,
        );
      }
    }
  }
  return ok;
}

/** Can the sender give this amount away now? */
export function checkSender(
  from: Account,
  fromOperator: Participant,
  asset: Asset,
  amount: bigint,
  balance: bigint,
  frozen: bigint,
  now: number,
): TransferCheck {
  if (from.status !== 'ACTIVE')
    return refuse(ComplianceCode.SENDER_NOT_ACTIVE, `account ${from.id} is ${from.status.toLowerCase()}`);
  if (from.frozen) return refuse(ComplianceCode.SENDER_FROZEN, `account ${from.id} is frozen`);
  if (now > from.kyc.validUntil) return refuse(ComplianceCode.SENDER_KYC_EXPIRED, `KYC of ${from.id} expired`);
  if (fromOperator.status !== 'ACTIVE') {
    return refuse(
      ComplianceCode.SENDER_OPERATOR_SUSPENDED,
      `operator ${fromOperator.mspId} is ${fromOperator.status.toLowerCase()}`,
    );
  }
  if (isHalted(asset, now)) return refuse(ComplianceCode.INSTRUMENT_HALTED, `${asset.id} is halted`);
  if (asset.kind === 'equity' && from.type === 'investor' && now < (asset.lockupUntil ?? 0)) {
    return refuse(ComplianceCode.LOCKED_UP, `${asset.id} is locked up until ${asset.lockupUntil}`);
  }
  if (balance < amount) return refuse(ComplianceCode.INSUFFICIENT_BALANCE, `balance ${balance} is below ${amount}`);
  if (balance - frozen < amount) {
    return refuse(ComplianceCode.AMOUNT_FROZEN, `${frozen} of the balance is frozen; ${balance - frozen} is free`);
  }
  return ok;
}

/** The whole rule set for a transfer between two accounts, first refusal wins. */
export function checkTransfer(f: TransferFacts): TransferCheck {
  if (f.from.id === f.to.id) return refuse(ComplianceCode.SAME_ACCOUNT, 'sender and receiver are the same account');
  const sender = checkSender(f.from, f.fromOperator, f.asset, f.amount, f.fromBalance, f.fromFrozen, f.now);
  if (!sender.allowed) return sender;
  if (f.custodian.status !== 'ACTIVE') {
    return refuse(
      ComplianceCode.CUSTODIAN_SUSPENDED,
      `custodian ${f.custodian.mspId} is ${f.custodian.status.toLowerCase()}`,
    );
  }
  if (f.fromOperator.trusteeMspId !== f.asset.trusteeMspId) {
    return refuse(
      ComplianceCode.CUSTODY_MISMATCH,
      `${f.asset.id} is held at ${f.asset.trusteeMspId}, not ${f.from.id}'s trustee`,
    );
  }
  return checkReceiver(f.to, f.toOperator, f.asset, f.custodian, f.amount, f.receiverCapUsed, f.now);
}

/**
 * How a movement between two accounts travels. Within one operator a transfer is one transaction on that
 * operator's collection; across operators no single client may read both collections, so the sender
 * instructs and the custodian settles (decision 10).
 */
export type TransferRoute = 'transfer' | 'instruction';

/** Whether the accounts' operators allow the route. Messages name the API, never a chaincode function. */
export function checkRoute(f: Pick<TransferFacts, 'from' | 'to'>, route: TransferRoute): TransferCheck {
  const cross = f.from.operatorMspId !== f.to.operatorMspId;
  if (route === 'transfer' && cross) {
    return refuse(
      ComplianceCode.CROSS_OPERATOR,
      `${f.to.id} is a customer of another operator: use an instruction (POST /v1/instructions), which the custodian settles`,
    );
  }
  if (route === 'instruction' && !cross) {
    return refuse(
      ComplianceCode.SAME_OPERATOR,
      'both accounts are at the same operator: use a transfer (POST /v1/transfers)',
    );
  }
  return ok;
}

/**
 * The one rule set behind a transfer, an instruction and the pre-check of either: the route first, then
 * every compliance rule. The transaction and its check call this same function, so they cannot disagree.
 */
export function checkMovement(f: TransferFacts, route: TransferRoute): TransferCheck {
  const r = checkRoute(f, route);
  return r.allowed ? checkTransfer(f) : r;
}

/** The calendar year (UTC) of an epoch-seconds time, for yearly caps. */
export function yearOf(epochSeconds: number): number {
  // Civil-from-days (Howard Hinnant): exact integer arithmetic, no Date.
  const days = Math.floor(epochSeconds / 86400);
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}
