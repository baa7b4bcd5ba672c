import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  auditFilingSchema,
  auditPolicySchema,
  auditSearchSchema,
  DEFAULT_AUDIT_POLICY,
  ErrorCode,
  MarketError,
  RECORD_VERSION,
  Role,
  type AuditPolicy,
  type AuditRecord,
} from '@ecf/common';
import { AUDIT_CHANNEL, REGULATOR_MSP_ID } from '../consortium';
import { MarketContext } from '../context';
import { parseJsonArg } from '../input';
import { keys, KeyType } from '../ledger/keys';
import { BaseContract, json } from './base';

/**
 * Regulatory records on the `audit` channel. The regulator files (through its relay); every org may read
 * the records that name it as a party; the regulator reads everything. Writes are endorsed by the
 * regulator's peer and one other member's (the channel's endorsement policy), so no single org, the
 * regulator included, can write the audit trail alone.
 */
@Info({ title: 'Audit', description: 'Reports, alerts and checkpoints about the market channel' })
export class AuditContract extends BaseContract {
  protected override readonly channel = AUDIT_CHANNEL;

  constructor() {
    super('Audit');
  }

  /**
   * Files a record, once: the id is derived from the reported market transaction, so a filing repeated
   * after a relay crash finds the first and writes nothing. Returns the record and whether it is new.
   */
  @Transaction()
  @Returns('string')
  public async File(ctx: MarketContext, input: string): Promise<string> {
    const filer = requireRegulator(ctx);
    const filing = parseJsonArg(auditFilingSchema, input);
    const key = keys.audit(ctx.stub, filing.id);
    const existing = await ctx.ledger.get<AuditRecord>(key);
    if (existing) {
      if (existing.type !== filing.type) {
        throw new MarketError(ErrorCode.CONFLICT, `${filing.id} is already filed as a ${existing.type}`);
      }
      return json({ record: existing, created: false });
    }
    const record: AuditRecord = {
      ...filing,
      v: RECORD_VERSION,
      filedTxId: ctx.ledger.txId,
      filedAt: ctx.ledger.now,
      filedBy: filer,
    };
    await ctx.ledger.put(key, record);
    await ctx.ledger.put(keys.auditByType(ctx.stub, filing.type, filing.id), { id: filing.id });
    for (const subject of new Set(filing.subjects)) {
      await ctx.ledger.put(keys.auditBySubject(ctx.stub, subject, filing.id), { id: filing.id });
    }
    ctx.ledger.emit('AuditFiled', {
      id: filing.id,
      recordType: filing.type,
      ...(filing.kind ? { kind: filing.kind } : {}),
      parties: filing.parties,
      summary: filing.summary,
    });
    return json({ record, created: true });
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, id: string): Promise<string> {
    const reader = auditReader(ctx);
    const record = await ctx.ledger.get<AuditRecord>(keys.audit(ctx.stub, String(id)));
    if (!record || !readable(reader, record)) throw new MarketError(ErrorCode.NOT_FOUND, `no audit record ${id}`);
    return json(record);
  }

  /** Records by type or by subject (account or instrument), in id order; only those the caller may read. */
  @Transaction(false)
  @Returns('string')
  public async Search(ctx: MarketContext, input: string): Promise<string> {
    const reader = auditReader(ctx);
    const query = parseJsonArg(auditSearchSchema, input);
    const ids = query.subject
      ? await ctx.ledger.list<{ id: string }>(KeyType.AUDIT_BY_SUBJECT, [query.subject])
      : await ctx.ledger.list<{ id: string }>(KeyType.AUDIT_BY_TYPE, query.type ? [query.type] : []);
    const out: AuditRecord[] = [];
    for (const { value } of ids) {
      const record = await ctx.ledger.get<AuditRecord>(keys.audit(ctx.stub, value.id));
      if (!record || !readable(reader, record)) continue;
      if (query.type && record.type !== query.type) continue;
      out.push(record);
    }
    return json(out);
  }

  /** Regulator: the thresholds and windows the relay files by. */
  @Transaction()
  public async SetPolicy(ctx: MarketContext, input: string): Promise<void> {
    requireRegulator(ctx);
    const policy = parseJsonArg(auditPolicySchema, input);
    await ctx.ledger.put(keys.auditPolicy(ctx.stub), policy);
    ctx.ledger.emit('AuditPolicySet', { checkpointEvery: policy.checkpointEvery });
  }

  @Transaction(false)
  @Returns('string')
  public async GetPolicy(ctx: MarketContext): Promise<string> {
    auditReader(ctx);
    return json((await ctx.ledger.get<AuditPolicy>(keys.auditPolicy(ctx.stub))) ?? DEFAULT_AUDIT_POLICY);
  }
}

/**
 * Who reads the audit channel: org roles only (its members are the consortium's orgs; end users have no
 * business here). The market's participant register lives on the other channel, so the MSP and the
 * `role` attribute are what identify the caller.
 */
function auditReader(ctx: MarketContext): { mspId: string; regulator: boolean } {
  const mspId = ctx.clientIdentity.getMSPID();
  const role = ctx.clientIdentity.getAttributeValue('role');
  if (role !== Role.REGULATOR && role !== Role.TRUSTEE && role !== Role.OPERATOR) {
    throw new MarketError(ErrorCode.FORBIDDEN, 'audit records are read by the regulator, trustees and operators');
  }
  const regulator = mspId === REGULATOR_MSP_ID && role === Role.REGULATOR;
  if (mspId === REGULATOR_MSP_ID && !regulator)
    throw new MarketError(ErrorCode.FORBIDDEN, `role ${role} is not a regulator role`);
  return { mspId, regulator };
}

function requireRegulator(ctx: MarketContext): string {
  const reader = auditReader(ctx);
  if (!reader.regulator) throw new MarketError(ErrorCode.FORBIDDEN, 'only the regulator files audit records');
  return reader.mspId;
}

function readable(reader: { mspId: string; regulator: boolean }, record: AuditRecord): boolean {
  return reader.regulator || record.parties.includes(reader.mspId);
}
