import {
  beneficialOwnerHash,
  KeyType,
  type Account,
  type AuditFiling,
  type Resolution,
  type AuditPolicy,
  type Campaign,
  type Distribution,
  type DistributionEscrow,
  type LimitClaim,
  type Movement,
  type Order,
  type OrderEscrow,
  type PersonalData,
  type PersonalRecord,
  type Trade,
  type WithdrawalRecord,
} from '@ecf/common';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DecodedBlock, DecodedTx } from '../fabric/blocks';

/**
 * What the regulator files about the market, computed from the market's blocks alone, in block order.
 * Pure and deterministic: the same blocks under the same policy give the same filings with the same ids,
 * which is what makes the relay's filing exactly-once (see relay.ts). State is only what later blocks
 * need: who owns which account and order, recent trades and cancellations.
 */
const tradeSeenSchema = z.object({
  tradeId: z.string(),
  txId: z.string(),
  at: z.number(),
  buyer: z.string().optional(),
  seller: z.string().optional(),
});
type TradeSeen = Readonly<z.infer<typeof tradeSeenSchema>>;

const pairs = <V extends z.ZodTypeAny>(value: V) => z.array(z.tuple([z.string(), value]));

/**
 * The observer's whole state after one block, so the relay can resume from it instead of replaying the
 * chain. It holds the beneficial-owner hashes, which are personal data: the file is the regulator's, 0600.
 */
export const observerSnapshotSchema = z.object({
  version: z.literal(1),
  chaincode: z.string(),
  /** The last block observed. */
  through: z.string().regex(/^\d+$/),
  ownerOf: pairs(z.string()),
  operatorOf: pairs(z.string()),
  orderOwner: pairs(z.string()),
  orderOperator: pairs(z.string()),
  campaignParties: pairs(z.array(z.string())),
  trades: pairs(z.array(tradeSeenSchema)),
  cancels: pairs(z.array(z.object({ at: z.number(), txId: z.string() }))),
  /** Absent in a snapshot taken before the probing alert existed. */
  probes: pairs(z.array(z.object({ at: z.number(), txId: z.string() }))).optional(),
  raised: z.array(z.string()),
});
export type ObserverSnapshot = z.infer<typeof observerSnapshotSchema>;

const MONEY_OUT = new Set<Movement['kind']>(['transfer', 'instruction', 'forced', 'withdrawal', 'trade']);

export class MarketObserver {
  /** account → a hash of its holder's national id and birth date: the beneficial owner, without the PII. */
  private readonly ownerOf = new Map<string, string>();
  private readonly operatorOf = new Map<string, string>();
  private readonly orderOwner = new Map<string, string>();
  private readonly orderOperator = new Map<string, string>();
  private readonly campaignParties = new Map<string, string[]>();
  private readonly trades = new Map<string, TradeSeen[]>();
  /** (account, class) → cancellation times and transactions. */
  private readonly cancels = new Map<string, Array<{ at: number; txId: string }>>();
  /** account → its capped investments refused, or taken back in full, recently (decision 49). */
  private readonly probes = new Map<string, Array<{ at: number; txId: string }>>();
  private readonly raised = new Set<string>();
  private through: string | undefined;

  constructor(private readonly chaincode = 'market') {}

  /**
   * An observer in the state a snapshot recorded (validated by observerSnapshotSchema); it continues with
   * the block after `through`.
   */
  static restore(s: ObserverSnapshot): MarketObserver {
    const o = new MarketObserver(s.chaincode);
    const fill = <V>(map: Map<string, V>, entries: Array<[string, V]>) => {
      for (const [k, v] of entries) map.set(k, v);
    };
    fill(o.ownerOf, s.ownerOf);
    fill(o.operatorOf, s.operatorOf);
    fill(o.orderOwner, s.orderOwner);
    fill(o.orderOperator, s.orderOperator);
    fill(o.campaignParties, s.campaignParties);
    fill(o.trades, s.trades);
    fill(o.cancels, s.cancels);
    fill(o.probes, s.probes ?? []);
    for (const id of s.raised) o.raised.add(id);
    o.through = s.through;
    return o;
  }

  /** The last block observed. */
  get observedThrough(): string | undefined {
    return this.through;
  }

  /** The state after the last block observed; undefined before the first. */
  snapshot(): ObserverSnapshot | undefined {
    if (this.through === undefined) return undefined;
    return {
      version: 1,
      chaincode: this.chaincode,
      through: this.through,
      ownerOf: [...this.ownerOf],
      operatorOf: [...this.operatorOf],
      orderOwner: [...this.orderOwner],
      orderOperator: [...this.orderOperator],
      campaignParties: [...this.campaignParties],
      trades: [...this.trades],
      cancels: [...this.cancels],
      probes: [...this.probes],
      raised: [...this.raised],
    };
  }

  observe(block: DecodedBlock, policy: AuditPolicy): AuditFiling[] {
    this.through = block.number;
    const out: AuditFiling[] = [];
    for (const tx of block.txs) {
      if (!tx.valid || tx.chaincode !== this.chaincode) continue;
      this.learn(tx);
      out.push(...this.movements(block, tx, policy));
      out.push(...this.withdrawalReviews(block, tx));
      out.push(...this.distributions(block, tx));
      out.push(...this.tradesOf(block, tx, policy));
      out.push(...this.limitProbes(block, tx, policy));
      out.push(...this.events(block, tx, policy));
    }
    const n = BigInt(block.number);
    if (n % BigInt(policy.checkpointEvery) === 0n) {
      out.push({
        id: `checkpoint:market:${block.number}`,
        type: 'CHECKPOINT',
        source: { blockNumber: block.number, txIds: [] },
        parties: [],
        subjects: [],
        summary: `market block ${block.number}`,
        details: {
          channel: 'market',
          blockHash: block.hash,
          previousHash: block.previousHash,
          dataHash: block.dataHash,
        },
        observedAt: block.txs.at(-1)?.timestamp ?? 0,
      });
    }
    return out;
  }

  /** Keeps the ownership facts later filings need. */
  private learn(tx: DecodedTx): void {
    for (const w of tx.writes) {
      if (w.deleted || w.value === null || typeof w.value !== 'object') continue;
      const inCollection = w.collection !== undefined;
      if (w.type === KeyType.ACCOUNT && !inCollection) {
        const account = w.value as Account;
        this.operatorOf.set(account.id, account.operatorMspId);
      } else if (w.type === KeyType.PERSONAL && inCollection) {
        // Private keys are sealed (their ids blinded): the account comes from the record itself.
        const { personal, accountId } = w.value as PersonalRecord;
        if (accountId && personal?.nationalId) this.ownerOf.set(accountId, beneficialOwner(personal));
      } else if (w.type === KeyType.ORDER_ESCROW && inCollection) {
        const escrow = w.value as OrderEscrow;
        this.orderOwner.set(escrow.orderId, escrow.accountId);
      } else if (w.type === KeyType.ORDER && !inCollection) {
        const order = w.value as Order;
        this.orderOperator.set(order.id, order.operatorMspId);
      } else if (w.type === KeyType.CAMPAIGN && !inCollection) {
        const campaign = w.value as Campaign;
        this.addCampaignParties(campaign.id, [campaign.operatorMspId, campaign.trusteeMspId]);
      } else if (w.type === KeyType.PLEDGE_REF && !inCollection) {
        // A pledge's public index entry names its operator: that operator's customer took part.
        const ref = w.value as { campaignId?: unknown; operatorMspId?: unknown };
        if (typeof ref.campaignId === 'string' && typeof ref.operatorMspId === 'string')
          this.addCampaignParties(ref.campaignId, [ref.operatorMspId]);
      }
    }
  }

  /** Parties only accumulate: a campaign's later saves must not drop the operators whose customers pledged. */
  private addCampaignParties(campaignId: string, parties: string[]): void {
    this.campaignParties.set(campaignId, unique([...(this.campaignParties.get(campaignId) ?? []), ...parties]));
  }

  /** Travel-rule style reports of money and units moving at or above the regulator's threshold. */
  private movements(block: DecodedBlock, tx: DecodedTx, policy: AuditPolicy): AuditFiling[] {
    const out: AuditFiling[] = [];
    for (const w of tx.writes) {
      if (w.type !== KeyType.MOVEMENT || !w.collection || w.deleted) continue;
      const m = w.value as Movement;
      const threshold = policy.largeTransferThresholds[m.assetId];
      if (!threshold) continue;
      const delta = BigInt(m.delta);
      const amount = delta < 0n ? -delta : delta;
      const outgoing = delta < 0n && MONEY_OUT.has(m.kind);
      const incomingFromBank = delta > 0n && m.kind === 'deposit';
      if (amount < BigInt(threshold) || (!outgoing && !incomingFromBank)) continue;
      // The id is public: it names the movement by a digest of its sealed key (ids blinded with the
      // collection's secret), unique per movement, and neither the account nor anything a non-member can
      // recompute from public ids.
      const movementRef = createHash('sha256').update(w.attributes.join('\u0000')).digest('hex').slice(0, 24);
      const originator = outgoing ? m.accountId : `bank:${m.reference ?? 'unknown'}`;
      const beneficiary = outgoing ? (m.counterparty ?? `bank:${m.reference ?? 'unknown'}`) : m.accountId;
      const parties = unique([this.operatorOf.get(m.accountId), m.counterparty && this.operatorOf.get(m.counterparty)]);
      out.push({
        id: `transfer:${tx.txId}:${movementRef}`,
        type: 'LARGE_TRANSFER',
        source: { blockNumber: block.number, txIds: [tx.txId] },
        parties,
        subjects: unique([m.accountId, m.counterparty, m.assetId]),
        summary: `${amount} of ${m.assetId} from ${originator} to ${beneficiary} (${m.kind})`,
        details: { originator, beneficiary, assetId: m.assetId, amount: amount.toString(), kind: m.kind },
        observedAt: tx.timestamp,
      });
    }
    return out;
  }

  /**
   * A large withdrawal held for review: its request and its outcome, each a record of its own (decision 40),
   * read from the withdrawal record the transaction wrote. Every one is filed, whatever the audit policy:
   * the chaincode's own threshold already chose them. The token's trustee is a party: it executes them.
   */
  private withdrawalReviews(block: DecodedBlock, tx: DecodedTx): AuditFiling[] {
    const out: AuditFiling[] = [];
    for (const w of tx.writes) {
      if (w.type !== KeyType.WITHDRAWAL || !w.collection || w.deleted) continue;
      const r = w.value as WithdrawalRecord;
      const stage = r.status === 'PENDING' ? 'requested' : r.status.toLowerCase();
      // A money token's id is `<trustee MSP ID>.<currency>` (Money:CreateToken).
      const trustee = r.tokenId.slice(0, r.tokenId.lastIndexOf('.'));
      const what = `${r.amount} of ${r.tokenId} from ${r.accountId} to bank:${r.bankReference}`;
      const summary =
        r.status === 'PENDING'
          ? `${what} held for review until ${r.executableFrom}`
          : r.status === 'EXECUTED'
            ? `${what} executed by ${r.decidedBy ?? 'unknown'}`
            : `${what} cancelled by ${r.decidedBy ?? 'unknown'}: ${r.reason ?? ''}`;
      out.push({
        id: `withdrawal:${r.id}:${stage}`,
        type: 'WITHDRAWAL_REVIEW',
        source: { blockNumber: block.number, txIds: [tx.txId] },
        parties: unique([this.operatorOf.get(r.accountId), trustee]),
        subjects: unique([r.accountId, r.tokenId]),
        summary: summary.slice(0, 300),
        details: {
          withdrawalId: r.id,
          status: r.status,
          accountId: r.accountId,
          tokenId: r.tokenId,
          amount: r.amount,
          beneficiary: `bank:${r.bankReference}`,
          requestedAt: r.requestedAt,
          executableFrom: r.executableFrom,
          ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
          ...(r.decidedAt !== undefined ? { decidedAt: r.decidedAt } : {}),
          ...(r.reason ? { reason: r.reason.slice(0, 300) } : {}),
        },
        observedAt: tx.timestamp,
      });
    }
    return out;
  }

  /**
   * A distribution's declaration and its last payment batch, each a CORPORATE_ACTION report (decision 51).
   * The terms come from the public record the transaction wrote; the totals paid, withheld and returned to
   * the issuer from the escrow record in the issuer's collection, which the regulator's peer holds.
   */
  private distributions(block: DecodedBlock, tx: DecodedTx): AuditFiling[] {
    const out: AuditFiling[] = [];
    const payload = tx.event?.payload as { type?: string; events?: Array<Record<string, unknown>> } | undefined;
    const events: Array<Record<string, unknown>> =
      payload?.type === 'Batch' ? (payload.events ?? []) : payload ? [payload as Record<string, unknown>] : [];
    for (const e of events) {
      const stage = e.type === 'DistributionDeclared' ? 'declared' : e.type === 'DistributionPaid' ? 'paid' : undefined;
      if (!stage) continue;
      const d = tx.writes.find(
        (w) =>
          w.type === KeyType.DISTRIBUTION &&
          !w.collection &&
          !w.deleted &&
          (w.value as Distribution | null)?.id === e.distributionId,
      )?.value as Distribution | undefined;
      if (!d) continue;
      const escrow = tx.writes.find(
        (w) =>
          w.type === KeyType.DISTRIBUTION_ESCROW &&
          !!w.collection &&
          !w.deleted &&
          (w.value as DistributionEscrow | null)?.distributionId === d.id,
      )?.value as DistributionEscrow | undefined;
      out.push({
        id: `corporate-action:distribution:${d.id}:${stage}`,
        type: 'CORPORATE_ACTION',
        source: { blockNumber: block.number, txIds: [tx.txId] },
        parties: unique([d.operatorMspId, d.trusteeMspId]),
        subjects: unique([d.classId, d.issuerAccountId]),
        summary: `distribution ${d.id} of ${d.amountPerUnit} ${d.tokenId} per unit of ${d.classId} ${stage}`.slice(
          0,
          300,
        ),
        details: {
          action: stage === 'declared' ? 'DISTRIBUTION_DECLARED' : 'DISTRIBUTION_PAID',
          distributionId: d.id,
          classId: d.classId,
          tokenId: d.tokenId,
          issuerAccountId: d.issuerAccountId,
          amountPerUnit: d.amountPerUnit,
          declaredUnits: d.declaredUnits,
          escrowed: d.escrowed,
          recordAt: d.recordAt,
          payAt: d.payAt,
          accountsWalked: d.accountsWalked,
          ...(escrow && stage === 'paid'
            ? {
                paid: escrow.paid,
                accountsPaid: escrow.accountsPaid,
                withheld: escrow.withheld,
                residualToIssuer: escrow.residual ?? '0',
              }
            : {}),
        },
        observedAt: tx.timestamp,
      });
    }
    return out;
  }

  private tradesOf(block: DecodedBlock, tx: DecodedTx, policy: AuditPolicy): AuditFiling[] {
    const out: AuditFiling[] = [];
    for (const w of tx.writes) {
      if (w.type !== KeyType.TRADE || w.collection || w.deleted) continue;
      const t = w.value as Trade;
      const buyer = this.orderOwner.get(t.buyOrderId);
      const seller = this.orderOwner.get(t.sellOrderId);
      const parties = unique([this.orderOperator.get(t.buyOrderId), this.orderOperator.get(t.sellOrderId)]);
      const value = (BigInt(t.price) * BigInt(t.quantity)).toString();
      const source = { blockNumber: block.number, txIds: [tx.txId] };
      out.push({
        id: `trade:${t.id}`,
        type: 'TRADE',
        source,
        parties,
        subjects: unique([t.classId, buyer, seller]),
        summary: `${t.quantity} ${t.classId} at ${t.price}`,
        details: {
          classId: t.classId,
          price: t.price,
          quantity: t.quantity,
          value,
          buyOrderId: t.buyOrderId,
          sellOrderId: t.sellOrderId,
          ...(buyer ? { buyer } : {}),
          ...(seller ? { seller } : {}),
        },
        observedAt: tx.timestamp,
      });
      const seen: TradeSeen = {
        tradeId: t.id,
        txId: tx.txId,
        at: tx.timestamp,
        ...(buyer ? { buyer } : {}),
        ...(seller ? { seller } : {}),
      };
      const owner = buyer && this.ownerOf.get(buyer);
      const recent = this.recentTrades(t.classId, tx.timestamp, policy);
      if (buyer && seller && owner && owner === this.ownerOf.get(seller)) {
        out.push(
          alert(
            'WASH_TRADE_SAME_OWNER',
            `alert:wash-owner:${t.id}`,
            source,
            parties,
            [t.classId, buyer, seller],
            `${buyer} and ${seller} have the same beneficial owner and traded ${t.quantity} ${t.classId}`,
            { tradeId: t.id, buyer, seller },
            tx.timestamp,
          ),
        );
      } else if (buyer && seller) {
        const back = recent.find((r) => r.buyer === seller && r.seller === buyer);
        if (back) {
          out.push(
            alert(
              'WASH_TRADE_ROUND_TRIP',
              `alert:wash-round-trip:${t.id}`,
              { blockNumber: block.number, txIds: unique([back.txId, tx.txId]) },
              parties,
              [t.classId, buyer, seller],
              `${seller} sold back to ${buyer} within ${policy.roundTripWindowSeconds} s`,
              { tradeId: t.id, earlierTradeId: back.tradeId, buyer, seller },
              tx.timestamp,
            ),
          );
        }
      }
      recent.push(seen);
      // Cancellations just before this trade may already amount to layering.
      for (const key of this.cancels.keys()) {
        const [account, classId] = key.split('\u0000') as [string, string];
        if (classId === t.classId) out.push(...this.layering(account, classId, seen, block, policy));
      }
    }
    return out;
  }

  private events(block: DecodedBlock, tx: DecodedTx, policy: AuditPolicy): AuditFiling[] {
    const out: AuditFiling[] = [];
    const payload = tx.event?.payload as { type?: string; events?: Array<Record<string, unknown>> } | undefined;
    if (!payload) return out;
    const events = payload.type === 'Batch' ? (payload.events ?? []) : [payload as Record<string, unknown>];
    const source = { blockNumber: block.number, txIds: [tx.txId] };
    events.forEach((e, i) => {
      const suffix = events.length > 1 ? `.${i}` : '';
      switch (e.type) {
        case 'CampaignSettlement':
          if (e.status === 'SUCCEEDED' || e.status === 'FAILED') {
            const id = String(e.campaignId);
            // The settling transaction saves the campaign: its public totals are the outcome's figures.
            const campaign = tx.writes.find(
              (w) =>
                w.type === KeyType.CAMPAIGN && !w.collection && !w.deleted && (w.value as Campaign | null)?.id === id,
            )?.value as Campaign | undefined;
            const amountRaised = campaign?.settlement?.moneyToIssuer ?? '0';
            const unitsSold = campaign?.settlement?.unitsAllocated ?? '0';
            out.push({
              id: `campaign:${id}`,
              type: 'CAMPAIGN_OUTCOME',
              source,
              parties: this.campaignParties.get(id) ?? [],
              subjects: [id],
              summary: `campaign ${id} ${String(e.status).toLowerCase()}`,
              details: {
                campaignId: id,
                outcome: String(e.status),
                amountRaised,
                unitsSold,
                ...(campaign ? { classId: campaign.classId, tokenId: campaign.tokenId } : {}),
              },
              observedAt: tx.timestamp,
            });
          }
          break;
        case 'CircuitBreakerTripped':
          out.push(
            alert(
              'CIRCUIT_BREAKER',
              `alert:halt:${tx.txId}${suffix}`,
              source,
              [],
              [String(e.classId)],
              `${String(e.classId)} halted: a trade at ${String(e.price)} fell outside the band`,
              { classId: String(e.classId), price: String(e.price), haltedUntil: Number(e.haltedUntil) },
              tx.timestamp,
            ),
          );
          break;
        case 'SupervisoryAction':
        case 'ParticipantStatusChanged':
        case 'CircuitBreakerSet': {
          const parties = unique(
            [e.operatorMspId, e.counterpartyOperatorMspId, e.mspId].map((p) => (typeof p === 'string' ? p : undefined)),
          );
          const target = String(e.target ?? e.mspId ?? e.classId ?? '');
          out.push({
            id: `supervision:${tx.txId}${suffix}`,
            type: 'SUPERVISORY_ACTION',
            source,
            parties,
            subjects: unique(target.split('>').filter((s) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s))),
            summary: `${String(e.action ?? e.type)} ${target}`.trim(),
            details: {
              action: String(
                e.action ??
                  (e.type === 'ParticipantStatusChanged' ? `STATUS_${String(e.status)}` : 'CIRCUIT_BREAKER_SET'),
              ),
              target,
              by: tx.creatorMspId,
              ...(typeof e.reason === 'string' ? { reason: e.reason.slice(0, 300) } : {}),
            },
            observedAt: tx.timestamp,
          });
          break;
        }
        case 'CorporateAction': {
          // Announcement and completion of a split, tender offer or delisting (decisions 52–54): terms and
          // totals only; the holdings it changed stay in the operators' collections.
          const details: Record<string, string | number> = {};
          for (const k of [
            'actionId',
            'kind',
            'stage',
            'classId',
            'ratio',
            'price',
            'tokenId',
            'maxUnits',
            'unitsTendered',
            'unitsBought',
            'residualUnits',
            'ordersCancelled',
            'accountsProcessed',
            'accountsSkipped',
          ]) {
            const v = e[k];
            if (typeof v === 'string' || typeof v === 'number') details[k] = v;
          }
          if (typeof e.reason === 'string') details.reason = e.reason.slice(0, 300);
          const stage = String(e.stage).toLowerCase();
          out.push({
            id: `corporate-action:${String(e.actionId)}:${stage}`,
            type: 'CORPORATE_ACTION',
            source,
            parties: unique([e.operatorMspId, e.trusteeMspId].map((p) => (typeof p === 'string' ? p : undefined))),
            subjects: unique([String(e.classId), String(e.actionId)]),
            summary: `${String(e.kind)} ${String(e.actionId)} of ${String(e.classId)} ${stage}`.slice(0, 300),
            details,
            observedAt: tx.timestamp,
          });
          break;
        }
        case 'ResolutionProposed':
        case 'ResolutionClosed':
          out.push(resolutionFiling(e, tx, source));
          break;
        case 'OrderCancelled': {
          const account = this.orderOwner.get(String(e.orderId));
          const classId = String(e.classId);
          if (!account) break;
          const key = `${account}\u0000${classId}`;
          const list = this.cancels.get(key) ?? [];
          list.push({ at: tx.timestamp, txId: tx.txId });
          this.cancels.set(
            key,
            list.filter((c) => tx.timestamp - c.at <= 2 * policy.layeringWindowSeconds),
          );
          for (const trade of this.recentTrades(classId, tx.timestamp, policy)) {
            out.push(...this.layering(account, classId, trade, block, policy));
          }
          break;
        }
      }
    });
    return out;
  }

  /** An account's cancellations in a class within the window around a trade, once per (account, trade). */
  private layering(
    account: string,
    classId: string,
    trade: TradeSeen,
    block: DecodedBlock,
    policy: AuditPolicy,
  ): AuditFiling[] {
    const id = `alert:layering:${account}:${trade.tradeId}`;
    if (this.raised.has(id)) return [];
    const w = policy.layeringWindowSeconds;
    const near = (this.cancels.get(`${account}\u0000${classId}`) ?? []).filter((c) => Math.abs(c.at - trade.at) <= w);
    if (near.length < policy.layeringCancels) return [];
    this.raised.add(id);
    return [
      alert(
        'LAYERING',
        id,
        { blockNumber: block.number, txIds: unique([...near.map((c) => c.txId), trade.txId]).slice(0, 50) },
        unique([this.operatorOf.get(account)]),
        [classId, account],
        `${account} cancelled ${near.length} orders in ${classId} within ${w} s of a trade`,
        { account, classId, tradeId: trade.tradeId, cancellations: near.length },
        near.at(-1)?.at ?? trade.at,
      ),
    ];
  }

  /**
   * An operator acts for its customers, so it can probe a customer's usage at other operators: capped
   * investments in the customer's name, refused or confirmed, then withdrawn (decision 49). Every answer is
   * one bit; the figure takes several. The regulator sees each account's refusals and full take-backs and
   * is alerted when they pile up. The alert names only the account's own operator's facts.
   */
  private limitProbes(block: DecodedBlock, tx: DecodedTx, policy: AuditPolicy): AuditFiling[] {
    const out: AuditFiling[] = [];
    const takeBack = tx.fn === 'Campaigns:WithdrawPledge' || tx.fn === 'Market:CancelOrder';
    for (const w of tx.writes) {
      if (w.type !== KeyType.LIMIT_CLAIM || !w.collection || w.deleted || typeof w.value !== 'object') continue;
      const claim = w.value as LimitClaim;
      const refused = claim.status === 'REFUSED' && tx.fn === 'Limits:Decide';
      const returned = claim.status === 'CLOSED' || (claim.status === 'CONFIRMED' && claim.returned === claim.amount);
      if (!refused && !(takeBack && returned)) continue;
      const window = policy.limitProbeWindowSeconds ?? 86400;
      const list = (this.probes.get(claim.accountId) ?? []).filter((p) => tx.timestamp - p.at <= window);
      list.push({ at: tx.timestamp, txId: tx.txId });
      this.probes.set(claim.accountId, list);
      const id = `alert:limit-probing:${claim.accountId}:${list[0]?.txId ?? tx.txId}`;
      if (list.length < (policy.limitProbes ?? 4) || this.raised.has(id)) continue;
      this.raised.add(id);
      out.push(
        alert(
          'LIMIT_PROBING',
          id,
          { blockNumber: block.number, txIds: unique(list.map((p) => p.txId)).slice(0, 50) },
          unique([this.operatorOf.get(claim.accountId)]),
          [claim.accountId, claim.tokenId],
          `${claim.accountId}: ${list.length} capped investments refused or taken back within ${window} s`,
          { account: claim.accountId, tokenId: claim.tokenId, count: list.length },
          tx.timestamp,
        ),
      );
    }
    return out;
  }

  private recentTrades(classId: string, now: number, policy: AuditPolicy): TradeSeen[] {
    const keep = Math.max(policy.roundTripWindowSeconds, policy.layeringWindowSeconds);
    const list = (this.trades.get(classId) ?? []).filter((t) => now - t.at <= keep);
    this.trades.set(classId, list);
    return list;
  }
}

function alert(
  kind: NonNullable<AuditFiling['kind']>,
  id: string,
  source: AuditFiling['source'],
  parties: string[],
  subjects: Array<string | undefined>,
  summary: string,
  details: AuditFiling['details'],
  observedAt: number,
): AuditFiling {
  return { id, type: 'ALERT', kind, source, parties, subjects: unique(subjects), summary, details, observedAt };
}

/** One person behind several accounts (the PII itself is not kept): the hash the investor limits count by. */
function beneficialOwner(p: PersonalData): string {
  return beneficialOwnerHash(p);
}

/**
 * A shareholder resolution's announcement or published result (decision 55), filed for the issuer's
 * operator. The result's figures are the public tally the closing transaction wrote; no ballot is in it.
 */
function resolutionFiling(e: Record<string, unknown>, tx: DecodedTx, source: AuditFiling['source']): AuditFiling {
  const id = String(e.resolutionId);
  const closed = e.type === 'ResolutionClosed';
  const record = tx.writes.find(
    (w) => w.type === KeyType.RESOLUTION && !w.collection && !w.deleted && (w.value as Resolution | null)?.id === id,
  )?.value as Resolution | undefined;
  const tally = record?.tally;
  return {
    id: `resolution:${id}:${closed ? 'result' : 'announced'}`,
    type: 'CORPORATE_ACTION',
    source,
    parties: unique([typeof e.operatorMspId === 'string' && e.operatorMspId]),
    subjects: unique([id, typeof e.classId === 'string' && e.classId]),
    summary: `resolution ${id} ${closed ? (e.passed === true ? 'passed' : 'not passed') : 'announced'}`,
    details: {
      action: closed ? 'VOTE_RESULT' : 'VOTE_ANNOUNCED',
      resolutionId: id,
      classId: String(e.classId),
      ...(closed
        ? {
            passed: e.passed === true,
            quorumMet: e.quorumMet === true,
            ...(tally
              ? { eligible: tally.eligible, for: tally.for, against: tally.against, abstain: tally.abstain }
              : {}),
          }
        : { recordTime: Number(e.recordTime), closesAt: Number(e.closesAt) }),
    },
    observedAt: tx.timestamp,
  };
}

function unique(values: ReadonlyArray<string | undefined | false | 0 | null>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}
