import { Role } from '@ecf/common';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../app';
import { TokenStore } from '../auth/tokens';
import { DEFAULT_SETTINGS, type GatewayDeps, type GatewaySettings, type OrgInfo } from '../deps';
import type { DecodedBlock } from '../fabric/blocks';
import {
  FabricFailure,
  type BlockStream,
  type CaPort,
  type ChainEvent,
  type CommittedTransaction,
  type Enrollment,
  type EnrollmentRequest,
  type EventPosition,
  type EventStream,
  type FabricPort,
  type Invocation,
  type SubmitHooks,
  type SubmitResult,
} from '../fabric/types';
import { retryConflicts, type AttemptOutcome } from '../fabric/retry';
import { IdempotencyStore } from '../idempotency';
import { createLogger } from '../log';
import { Metrics } from '../metrics';
import { PendingStore } from '../pending';
import { scratchDir } from './scratch';

/** One recorded call into the fake Fabric seam. */
export interface Recorded {
  readonly kind: 'evaluate' | 'submit';
  readonly identity: string;
  readonly call: Invocation;
}

type Answer = (call: Invocation) => unknown;

/**
 * The Fabric seam replaced for unit tests: answers are programmed per `Contract:Function`, every call
 * is recorded, committed transactions can be looked up by id as a real peer would.
 */
export class FakeFabric implements FabricPort {
  readonly calls: Recorded[] = [];
  readonly committed = new Map<string, CommittedTransaction>();
  events_: ChainEvent[] = [];
  lastPosition: EventPosition | undefined;
  /**
   * Makes `submit` stop once the transaction is handed to ordering, its commit status never arriving (the
   * request's deadline passed, or the gateway died there): it stays in flight until `seal` sends it again
   * or `commitInFlight` lets ordering deliver it.
   */
  dieWhileOrdering = false;
  /** The MSP the fake's transactions are signed in (their creator, with the signing wallet label). */
  mspId = 'OperatorAMSP';
  /** What ordering makes of a transaction `seal` sends again: how it commits, or an error (unreachable). */
  sealOutcome: string | Error = 'VALID';
  /** Awaited after a transaction is handed to ordering, before its commit: a test holds it to stall ordering. */
  ordering: ((call: Invocation) => Promise<void>) | undefined;
  /** Per `Contract:Function`: how many of its next transactions commit invalid with MVCC_READ_CONFLICT. */
  readonly conflicts = new Map<string, number>();
  /** Transaction ids `seal` was asked to send again. */
  readonly sealed: string[] = [];
  /** Handed to ordering, not committed: the transactions a dead gateway left behind. */
  private readonly inFlight = new Map<string, CommittedTransaction>();
  private readonly answers = new Map<string, Answer>();
  private seq = 0;

  answer(fn: string, answer: Answer): this {
    this.answers.set(fn, answer);
    return this;
  }

  async evaluate(identity: string, call: Invocation): Promise<unknown> {
    this.calls.push({ kind: 'evaluate', identity, call });
    return this.answers.get(call.fn)?.(call) ?? null;
  }

  async submit(identity: string, call: Invocation, hooks: SubmitHooks = {}): Promise<SubmitResult> {
    // The real port's conflict loop, around a fake attempt: each attempt is one recorded endorsement.
    const { value, attempts } = await retryConflicts(
      async (): Promise<AttemptOutcome<Omit<SubmitResult, 'attempts'>>> => {
        const txId = (++this.seq).toString(16).padStart(64, '0');
        this.calls.push({ kind: 'submit', identity, call });
        const result = this.answers.get(call.fn)?.(call) ?? null;
        // The fake's serialized transaction is its id.
        await hooks.beforeOrder?.(txId, Buffer.from(txId, 'hex'));
        const tx = {
          txId,
          blockNumber: String(this.seq),
          valid: true,
          validationCode: 'VALID',
          result,
          creator: { mspId: this.mspId, commonName: identity },
        };
        if (this.dieWhileOrdering) {
          this.inFlight.set(txId, tx);
          throw new FabricFailure('timeout', 'Fabric did not answer in time', txId, undefined, undefined, true);
        }
        await this.ordering?.(call);
        const conflicts = this.conflicts.get(call.fn) ?? 0;
        if (conflicts > 0) {
          this.conflicts.set(call.fn, conflicts - 1);
          this.committed.set(txId, { ...tx, valid: false, validationCode: 'MVCC_READ_CONFLICT', result: null });
          return { conflict: { txId, code: 'MVCC_READ_CONFLICT' } };
        }
        this.committed.set(txId, tx);
        return { done: { txId, blockNumber: tx.blockNumber, result } };
      },
      {
        maxAttempts: 4,
        deadline: call.deadline,
        ...(hooks.mayRetry ? { mayRetry: hooks.mayRetry } : {}),
        sleep: async () => undefined,
      },
    );
    return { ...value, attempts };
  }

  /** Ordering delivers what was left in flight: each such transaction commits valid, in its own block. */
  commitInFlight(): string[] {
    const ids = [...this.inFlight.keys()];
    for (const [txId, tx] of this.inFlight) this.committed.set(txId, { ...tx, blockNumber: String(++this.seq) });
    this.inFlight.clear();
    return ids;
  }

  async findTransaction(txId: string): Promise<CommittedTransaction | undefined> {
    return this.committed.get(txId);
  }

  async seal(transaction: Uint8Array): Promise<CommittedTransaction> {
    const txId = Buffer.from(transaction).toString('hex');
    this.sealed.push(txId);
    const committed = this.committed.get(txId);
    if (committed) return committed;
    if (this.sealOutcome instanceof Error) throw this.sealOutcome;
    const tx = this.inFlight.get(txId);
    if (!tx) throw new Error(`the fake has no transaction ${txId}`);
    const sealed =
      this.sealOutcome === 'VALID' ? tx : { ...tx, valid: false, validationCode: this.sealOutcome, result: null };
    this.inFlight.delete(txId);
    this.committed.set(txId, sealed);
    return sealed;
  }

  async events(from: EventPosition | undefined): Promise<EventStream> {
    this.lastPosition = from;
    const events = this.events_;
    return {
      close: () => undefined,
      async *[Symbol.asyncIterator]() {
        yield* events;
      },
    };
  }

  /** The channel's blocks, for the relay and the audit routes. */
  chain: DecodedBlock[] = [];

  async blocks(startBlock: bigint): Promise<BlockStream> {
    const blocks = this.chain.filter((b) => BigInt(b.number) >= startBlock);
    return {
      close: () => undefined,
      async *[Symbol.asyncIterator]() {
        yield* blocks;
      },
    };
  }

  async block(number: bigint): Promise<DecodedBlock> {
    const block = this.chain.find((b) => BigInt(b.number) === number);
    if (!block) throw new Error(`no block ${number}`);
    return block;
  }

  async transaction(txId: string) {
    for (const b of this.chain) {
      const tx = b.txs.find((t) => t.txId === txId);
      if (tx) return { ...tx, blockNumber: b.number };
    }
    return undefined;
  }

  async height(): Promise<bigint> {
    return BigInt(this.chain.length);
  }

  async ping(): Promise<void> {}
  close(): void {}

  submits(fn?: string): Recorded[] {
    return this.calls.filter((c) => c.kind === 'submit' && (fn === undefined || c.call.fn === fn));
  }
}

/**
 * The org's CA and its wallet together, as state a test can compare before and after a request: a
 * registration per enrollment id (its attributes) and a wallet entry per label (its certificate).
 */
export class FakeCa implements CaPort {
  readonly enrolled: EnrollmentRequest[] = [];
  readonly revoked: string[] = [];
  readonly reenrolled: string[] = [];
  /** Enrolments taken back, by label. */
  readonly undone: string[] = [];
  readonly registrations = new Map<string, Readonly<Record<string, string>>>();
  readonly wallet = new Map<string, string>();
  /** Makes the next `registerAndEnroll` fail as the CA would (nothing changed). */
  failNext: FabricFailure | undefined;
  private serial = 0;

  constructor() {
    // The identities every org's wallet starts with, and the customer the harness' investor token names.
    this.wallet.set('admin', 'cert-admin');
    this.wallet.set('gateway', 'cert-gateway');
    this.registrations.set('acct-alice', { role: 'investor', account: 'alice' });
    this.wallet.set('acct-alice', 'cert-acct-alice-0');
  }

  async registerAndEnroll(req: EnrollmentRequest): Promise<Enrollment> {
    if (this.failNext) {
      const failure = this.failNext;
      this.failNext = undefined;
      throw failure;
    }
    this.enrolled.push(req);
    const label = req.enrollmentId;
    const registration = this.registrations.get(label);
    const entry = this.wallet.get(label);
    const certificate = `cert-${label}-${++this.serial}`;
    this.registrations.set(label, req.attributes);
    this.wallet.set(label, certificate);
    return {
      label,
      certificate,
      undo: async () => {
        this.undone.push(label);
        if (registration) this.registrations.set(label, registration);
        else this.registrations.delete(label);
        if (entry) this.wallet.set(label, entry);
        else this.wallet.delete(label);
      },
    };
  }
  async reenroll(label: string) {
    this.reenrolled.push(label);
    return { certificate: 'cert', notAfter: 'Nov 22 00:00:00 2027 GMT' };
  }
  async revoke(label: string) {
    this.revoked.push(label);
    this.wallet.delete(label);
  }
  async ping(): Promise<void> {}

  /** The CA's and the wallet's state, to compare across a request that must change nothing. */
  state(): { registrations: Array<[string, unknown]>; wallet: Array<[string, string]> } {
    return { registrations: [...this.registrations].sort(), wallet: [...this.wallet].sort() };
  }
}

export const OPERATOR_ORG: OrgInfo = {
  name: 'OperatorA',
  mspId: 'OperatorAMSP',
  role: 'operator',
  servedOperators: [],
};

export interface Harness {
  readonly app: ReturnType<typeof createApp>;
  readonly fabric: FakeFabric;
  readonly ca: FakeCa;
  readonly tokens: TokenStore;
  readonly deps: GatewayDeps;
  readonly logs: string[];
  /** The temporary folder holding tokens/ and idempotency/. */
  readonly dir: string;
  /** Tokens by role, bound to identities as the CLI would bind them. */
  readonly token: Record<'operator' | 'investor' | 'trustee' | 'regulator' | 'readOnly', string>;
}

/** The app on the fake seam, with a token store and idempotency folder in a temporary directory. */
export function harness(
  options: {
    org?: OrgInfo;
    settings?: Partial<GatewaySettings>;
    dir?: string;
    fabric?: FakeFabric;
    /** The audit channel's port; absent: the gateway has none (503 on audit routes). */
    audit?: FabricPort;
    /** The trustee's cap table service; absent: none (503 on cap table routes). */
    capTableUrl?: string;
  } = {},
): Harness {
  const dir = options.dir ?? scratchDir('ecf-gw-unit-');
  const tokens = new TokenStore(join(dir, 'tokens'));
  const fabric = options.fabric ?? new FakeFabric();
  const ca = new FakeCa();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const deps: GatewayDeps = {
    org: options.org ?? OPERATOR_ORG,
    fabric,
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.capTableUrl ? { capTableUrl: options.capTableUrl } : {}),
    ca,
    wallet: { has: async (label: string) => ca.wallet.has(label) },
    tokens,
    authenticators: [tokens],
    idempotency: new IdempotencyStore(join(dir, 'idempotency')),
    pending: new PendingStore(join(dir, 'pending')),
    logger: createLogger({ org: 'OperatorA', stream: sink }),
    metrics: new Metrics(),
    // Every request line is logged unless a test asks for sampling: the redaction tests read them all.
    config: { ...DEFAULT_SETTINGS, requestLog: { sampleRate: 1, slowMs: 1000 }, ...options.settings },
    version: '0.0.0-test',
  };
  const mk = (
    identity: string,
    role: Role,
    accountId?: string,
    scopes?: Parameters<TokenStore['create']>[0]['scopes'],
  ) => tokens.create({ identity, role, ...(accountId ? { accountId } : {}), ...(scopes ? { scopes } : {}) }).token;
  const token = {
    operator: mk('gateway', Role.OPERATOR),
    investor: mk('acct-alice', Role.INVESTOR, 'alice'),
    trustee: mk('gateway', Role.TRUSTEE),
    regulator: mk('gateway', Role.REGULATOR),
    readOnly: mk('gateway', Role.OPERATOR, undefined, ['read']),
  };
  return { app: createApp(deps), fabric, ca, tokens, deps, logs, dir, token };
}
