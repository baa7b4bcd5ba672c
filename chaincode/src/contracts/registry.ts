import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  admitParticipantSchema,
  ErrorCode,
  MarketError,
  mspIdSchema,
  participantStatusSchema,
  RECORD_VERSION,
  type Participant,
} from '@ecf/common';
import { requireRegulator, resolveCaller } from '../auth/caller';
import { REGULATOR_MSP_ID } from '../consortium';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import { parse, parseJsonArg } from '../input';
import { findParticipant, getAsset, getParticipant, listAssets, listParticipants } from '../registry/records';
import { BaseContract, json } from './base';

/** The hierarchy: the regulator admits trustees and operators and governs their status. */
@Info({ title: 'Registry', description: 'Participants (trustees, operators) and their status; asset lookup' })
export class RegistryContract extends BaseContract {
  constructor() {
    super('Registry');
  }

  /** Regulator: admit a trustee, or an operator linked to an admitted trustee. */
  @Transaction()
  @Returns('string')
  public async AdmitParticipant(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(admitParticipantSchema, input);
    if (req.mspId === REGULATOR_MSP_ID) throw new MarketError(ErrorCode.CONFLICT, 'the regulator is not a participant');
    if (await findParticipant(ctx, req.mspId))
      throw new MarketError(ErrorCode.CONFLICT, `${req.mspId} is already admitted`);
    if (req.trusteeMspId) {
      const trustee = await getParticipant(ctx, req.trusteeMspId);
      if (trustee.kind !== 'trustee')
        throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${req.trusteeMspId} is not a trustee`);
      if (trustee.status !== 'ACTIVE')
        throw new MarketError(ErrorCode.CONFLICT, `trustee ${req.trusteeMspId} is not active`);
    }
    const now = ctx.ledger.now;
    const participant: Participant = {
      v: RECORD_VERSION,
      mspId: req.mspId,
      kind: req.kind,
      trusteeMspId: req.trusteeMspId,
      status: 'ACTIVE',
      statusReason: req.reason,
      admittedAt: now,
      updatedAt: now,
    };
    await ctx.ledger.put(keys.participant(ctx.stub, req.mspId), participant);
    ctx.ledger.emit('ParticipantAdmitted', { mspId: req.mspId, kind: req.kind, trusteeMspId: req.trusteeMspId });
    return json(participant);
  }

  /**
   * Suspend, reinstate or revoke. The regulator may do any of it to anyone; a trustee may suspend and
   * reinstate the operators it serves, but not lift a suspension the regulator imposed. Revocation is final.
   * Suspension cascades by derivation (every check reads the parents' status), so lifting it restores all.
   */
  @Transaction()
  @Returns('string')
  public async SetParticipantStatus(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(participantStatusSchema, input);
    const target = await getParticipant(ctx, req.mspId);
    if (caller.kind === 'trustee') {
      if (caller.participant.status !== 'ACTIVE')
        throw new MarketError(ErrorCode.FORBIDDEN, 'a suspended trustee may not act');
      if (target.kind !== 'operator' || target.trusteeMspId !== caller.mspId) {
        throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} does not serve ${req.mspId}`);
      }
      if (req.status === 'REVOKED') throw new MarketError(ErrorCode.FORBIDDEN, 'only the regulator may revoke');
      if (req.status === 'ACTIVE' && target.suspendedBy === REGULATOR_MSP_ID) {
        throw new MarketError(
          ErrorCode.FORBIDDEN,
          'the regulator imposed this suspension; only the regulator may lift it',
        );
      }
    } else {
      requireRegulator(caller);
    }
    if (target.status === 'REVOKED')
      throw new MarketError(ErrorCode.CONFLICT, `${req.mspId} is revoked; revocation is final`);
    if (target.status === req.status)
      throw new MarketError(ErrorCode.CONFLICT, `${req.mspId} is already ${req.status}`);
    const updated: Participant = {
      ...target,
      status: req.status,
      statusReason: req.reason,
      suspendedBy: req.status === 'SUSPENDED' ? caller.mspId : undefined,
      updatedAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.participant(ctx.stub, req.mspId), updated);
    ctx.ledger.emit('ParticipantStatusChanged', {
      mspId: req.mspId,
      status: req.status,
      by: caller.mspId,
      reason: req.reason,
    });
    return json(updated);
  }

  @Transaction(false)
  @Returns('string')
  public async GetParticipant(ctx: MarketContext, mspId: string): Promise<string> {
    await resolveCaller(ctx);
    return json(await getParticipant(ctx, parse(mspIdSchema, mspId)));
  }

  @Transaction(false)
  @Returns('string')
  public async ListParticipants(ctx: MarketContext): Promise<string> {
    await resolveCaller(ctx);
    return json(await listParticipants(ctx));
  }

  @Transaction(false)
  @Returns('string')
  public async GetAsset(ctx: MarketContext, assetId: string): Promise<string> {
    await resolveCaller(ctx);
    return json(await getAsset(ctx, assetId));
  }

  @Transaction(false)
  @Returns('string')
  public async ListAssets(ctx: MarketContext): Promise<string> {
    await resolveCaller(ctx);
    return json(await listAssets(ctx));
  }
}
