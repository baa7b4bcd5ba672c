import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  AUDIT_PRIVATE_FIELDS,
  auditCollection,
  auditFilingSchema,
  auditPrivatePartSchema,
  auditPolicySchema,
  auditSearchSchema,
  DEFAULT_AUDIT_POLICY,
  ErrorCode,
  MarketError,
  RECORD_VERSION,
  Role,
  type AuditPolicy,
  type AuditPrivateField,
  type AuditPrivatePart,
  type AuditRecord,
} from '@ecf/common';
import { AUDIT_CHANNEL, REGULATOR_MSP_ID } from '../consortium';
import { MarketContext } from '../context';
import { hasTransientPayload, jsonArg, parse, parseJsonArg, transientPayload } from '../input';
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
   *
   * A record with parties is split: its public part (id, type, source, parties, times) is the argument,
   * and what it says about accounts and amounts (subjects, summary, details) comes in transient data and
   * is kept in the regulator's audit collection and in each party's, never in public state. A record
   * without parties restates public market facts (a block hash, a halt) and stays public whole.
   */
  @Transaction()
  @Returns('string')
  public async File(ctx: MarketContext, input: string): Promise<string> {
    const filer = requireRegulator(ctx);
    const publicPart = jsonArg(input);
    const privatePart = isPrivateFiling(publicPart) ? transientPayload(ctx, auditPrivatePartSchema) : undefined;
    if (privatePart === undefined && hasTransientPayload(ctx)) {
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        'a record without parties is public and takes no transient data',
      );
    }
    const filing = parse(auditFilingSchema, privatePart ? { ...publicPart, ...withoutSalt(privatePart) } : publicPart);
    if (filing.parties.length === 0 && namesCustomers(filing)) {
      // Without parties a record is public whole: one that names customers' accounts and amounts must
      // never be, even if the relay could not tell whose customers they are.
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        `a ${filing.type} record names customers and needs its parties`,
      );
    }
    if (privatePart && AUDIT_PRIVATE_FIELDS.some((k) => k in publicPart)) {
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        'subjects, summary and details of a record with parties travel in transient data',
      );
    }
    const key = keys.audit(ctx.stub, filing.id);
    const existing = await ctx.ledger.get<StoredRecord>(key);
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
    // The response is recorded in the block too: it carries only what public state holds.
    let stored: StoredRecord = record;
    if (privatePart) {
      const { subjects: _s, summary: _m, details: _d, ...publicRecord } = record;
      stored = { ...publicRecord, private: true };
      await ctx.ledger.put(key, stored);
      const privateKey = keys.auditPrivate(ctx.stub, filing.id);
      for (const msp of new Set([REGULATOR_MSP_ID, ...filing.parties])) {
        await ctx.ledger.putPrivateUnsealed(auditCollection(msp), privateKey, privatePart);
      }
    } else {
      await ctx.ledger.put(key, record);
      for (const subject of new Set(filing.subjects)) {
        await ctx.ledger.put(keys.auditBySubject(ctx.stub, subject, filing.id), { id: filing.id });
      }
    }
    await ctx.ledger.put(keys.auditByType(ctx.stub, filing.type, filing.id), { id: filing.id });
    ctx.ledger.emit('AuditFiled', {
      id: filing.id,
      recordType: filing.type,
      ...(filing.kind ? { kind: filing.kind } : {}),
      parties: filing.parties,
      ...(privatePart ? {} : { summary: filing.summary }),
    });
    return json({ record: stored, created: true });
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, id: string): Promise<string> {
    const reader = auditReader(ctx);
    const record = await ctx.ledger.get<StoredRecord>(keys.audit(ctx.stub, String(id)));
    if (!record || !readable(reader, record)) throw new MarketError(ErrorCode.NOT_FOUND, `no audit record ${id}`);
    return json(await complete(ctx, reader, record));
  }

  /**
   * Records by type or by subject (account or instrument), in id order; only those the caller may read.
   * Subjects of a record with parties are private, so that search reads the caller's own audit collection.
   */
  @Transaction(false)
  @Returns('string')
  public async Search(ctx: MarketContext, input: string): Promise<string> {
    const reader = auditReader(ctx);
    const query = parseJsonArg(auditSearchSchema, input);
    const ids = new Set<string>();
    if (query.subject) {
      for (const { value } of await ctx.ledger.list<{ id: string }>(KeyType.AUDIT_BY_SUBJECT, [query.subject]))
        ids.add(value.id);
      const own = auditCollection(reader.regulator ? REGULATOR_MSP_ID : reader.mspId);
      for (const { key, value } of await ctx.ledger.listPrivateUnsealed<AuditPrivatePart>(own, KeyType.AUDIT_PRIVATE)) {
        if (value.subjects.includes(query.subject)) ids.add(ctx.stub.splitCompositeKey(key).attributes[0] ?? '');
      }
    } else {
      for (const { value } of await ctx.ledger.list<{ id: string }>(
        KeyType.AUDIT_BY_TYPE,
        query.type ? [query.type] : [],
      ))
        ids.add(value.id);
    }
    const out: AuditRecord[] = [];
    for (const id of [...ids].sort()) {
      const record = await ctx.ledger.get<StoredRecord>(keys.audit(ctx.stub, id));
      if (!record || !readable(reader, record)) continue;
      if (query.type && record.type !== query.type) continue;
      out.push(await complete(ctx, reader, record));
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

function readable(reader: { mspId: string; regulator: boolean }, record: Pick<AuditRecord, 'parties'>): boolean {
  return reader.regulator || record.parties.includes(reader.mspId);
}

/** A record as public state holds it: whole, or without its private fields (`private: true`). */
type StoredRecord = Omit<AuditRecord, AuditPrivateField> &
  Partial<Pick<AuditRecord, AuditPrivateField>> & { private?: true };

/** Records about customers' movements and conduct: never filed without the parties that keep them. */
function namesCustomers(filing: { type: string; kind?: string }): boolean {
  return (
    filing.type === 'LARGE_TRANSFER' ||
    filing.type === 'WITHDRAWAL_REVIEW' ||
    filing.type === 'TRADE' ||
    (filing.type === 'ALERT' && filing.kind !== 'CIRCUIT_BREAKER')
  );
}

function isPrivateFiling(publicPart: Record<string, unknown>): boolean {
  return Array.isArray(publicPart.parties) && publicPart.parties.length > 0;
}

function withoutSalt(part: AuditPrivatePart): Omit<AuditPrivatePart, 'salt'> {
  const { salt: _salt, ...rest } = part;
  return rest;
}

/**
 * A record with its private part, read from the caller's own audit collection: the regulator's holds every
 * record's, a party's holds those naming it. The caller's org peer evaluates, and it is a member of that
 * collection; a peer that has not received the part yet (dissemination is best effort, reconciliation
 * pulls it later) answers UNAVAILABLE rather than a record without its content.
 */
async function complete(
  ctx: MarketContext,
  reader: { mspId: string; regulator: boolean },
  record: StoredRecord,
): Promise<AuditRecord> {
  if (!record.private) return record as AuditRecord;
  const collection = auditCollection(reader.regulator ? REGULATOR_MSP_ID : reader.mspId);
  let part: AuditPrivatePart | undefined;
  try {
    part = await ctx.ledger.getRaw<AuditPrivatePart>(collection, keys.auditPrivate(ctx.stub, record.id));
  } catch {
    part = undefined;
  }
  if (!part) {
    throw new MarketError(ErrorCode.UNAVAILABLE, `the private part of ${record.id} has not reached this peer yet`);
  }
  const { private: _p, ...publicPart } = record;
  return { ...publicPart, ...withoutSalt(part) };
}
