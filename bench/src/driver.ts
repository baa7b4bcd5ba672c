import type { Contract } from '@hyperledger/fabric-gateway';
import { gatewayErrorText } from '@ecf/network';
import { peer } from '@hyperledger/fabric-protos';
import { percentile, round } from './stats';

/** One transaction of a workload: which contract, function, arguments and transient payload. */
export interface FabricTx {
  contract: Contract;
  fn: string;
  args?: string[];
  transient?: unknown;
}

/** One transaction sent through an org's REST gateway instead (W8): a POST that answers once committed. */
export interface HttpTx {
  http: { url: string; token: string; body: unknown };
}

export type TxSpec = FabricTx | HttpTx;

export interface StepResult {
  workload: string;
  offeredTps: number;
  durationS: number;
  submitted: number;
  valid: number;
  /** Committed but invalid, by validation code name (MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, …). */
  invalid: Record<string, number>;
  /** Failed before ordering (endorsement errors, timeouts), by first words of the error. */
  failed: Record<string, number>;
  goodputTps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** The phases, when the client drives them (absent for W8, where the gateway does). */
  endorseMs?: { p50: number; p95: number };
  submitMs?: { p50: number; p95: number };
  commitMs?: { p50: number; p95: number };
  cpuMsPerValidTx?: number;
  /** The same CPU split by component (peer, chaincode, orderer, ca, gateway). */
  cpuMsPerValidTxByComponent?: Record<string, number>;
  peakRssMiB?: number;
}

const CODE_NAMES = new Map<number, string>(
  Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]),
);

/**
 * Open-loop load: starts a transaction every 1/rate seconds for `durationS` seconds, whatever the earlier
 * ones are doing (capped at `maxInFlight`), and times each phase: endorse, submit to ordering, commit.
 * Every started transaction ends as valid, invalid (with its code) or failed; nothing is dropped.
 */
export async function runStep(
  workload: string,
  offeredTps: number,
  durationS: number,
  next: (i: number) => TxSpec,
  maxInFlight = 2000,
): Promise<StepResult> {
  const total: number[] = [];
  const endorse: number[] = [];
  const submit: number[] = [];
  const commit: number[] = [];
  const invalid: Record<string, number> = {};
  const failed: Record<string, number> = {};
  let valid = 0;
  let inFlight = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  const count = Math.max(1, Math.round(offeredTps * durationS));
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / offeredTps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= maxInFlight) {
      failed['client in-flight cap'] = (failed['client in-flight cap'] ?? 0) + 1;
      continue;
    }
    inFlight += 1;
    const spec = next(i);
    pending.push(
      (async () => {
        const t0 = performance.now();
        try {
          if ('http' in spec) {
            const outcome = await postThroughGateway(spec);
            if (outcome === 'valid') {
              valid += 1;
              total.push(performance.now() - t0);
            } else if (outcome.startsWith('MVCC')) invalid[outcome] = (invalid[outcome] ?? 0) + 1;
            else failed[outcome] = (failed[outcome] ?? 0) + 1;
            return;
          }
          const proposal = spec.contract.newProposal(spec.fn, {
            arguments: spec.args ?? [],
            transientData: spec.transient === undefined ? undefined : { payload: JSON.stringify(spec.transient) },
          });
          const tx = await proposal.endorse();
          const t1 = performance.now();
          const committed = await tx.submit();
          const t2 = performance.now();
          const status = await committed.getStatus();
          const t3 = performance.now();
          endorse.push(t1 - t0);
          submit.push(t2 - t1);
          commit.push(t3 - t2);
          if (status.successful) {
            valid += 1;
            total.push(t3 - t0);
          } else {
            const name = CODE_NAMES.get(status.code) ?? `CODE_${status.code}`;
            invalid[name] = (invalid[name] ?? 0) + 1;
          }
        } catch (err) {
          const e = err as { message?: string; details?: Array<{ message?: string }> };
          const detail = e.details?.[0]?.message ?? e.message ?? String(err);
          const key = detail.replace(/[0-9a-f]{64}/g, '<tx>').slice(0, 90);
          failed[key] = (failed[key] ?? 0) + 1;
        } finally {
          inFlight -= 1;
        }
      })(),
    );
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - start) / 1000;
  const p = (xs: number[], q: number) => round(percentile(xs, q));
  return {
    workload,
    offeredTps,
    durationS: round(elapsedS, 2),
    submitted: count,
    valid,
    invalid,
    failed,
    goodputTps: round(valid / elapsedS),
    latencyMs: { p50: p(total, 50), p95: p(total, 95), p99: p(total, 99) },
    ...(endorse.length > 0
      ? {
          endorseMs: { p50: p(endorse, 50), p95: p(endorse, 95) },
          submitMs: { p50: p(submit, 50), p95: p(submit, 95) },
          commitMs: { p50: p(commit, 50), p95: p(commit, 95) },
        }
      : {}),
  };
}

/**
 * A W8 transaction: the gateway endorses, submits and waits for the commit status before it answers, so
 * only the total latency is known. 201 is a valid commit; the gateway's MVCC_CONFLICT problem (after its
 * own retries) counts as an MVCC invalidation; anything else as failed, by status and problem code.
 */
async function postThroughGateway(spec: HttpTx): Promise<string> {
  const res = await fetch(spec.http.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${spec.http.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(spec.http.body),
  });
  const text = await res.text();
  if (res.status === 201) return 'valid';
  const code = (() => {
    try {
      return (JSON.parse(text) as { code?: string }).code ?? '';
    } catch {
      return '';
    }
  })();
  return code === 'MVCC_CONFLICT' ? 'MVCC_READ_CONFLICT (after gateway retries)' : `HTTP ${res.status} ${code}`;
}

/** Setup errors that needed a retry, by message (reported once the setup finishes). */
export const firstErrors = new Map<string, number>();

/** Runs `concurrency` workers that each submit until `total` transactions were attempted (setup). */
export async function runAll(
  total: number,
  concurrency: number,
  submitOne: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      for (let attempt = 1; ; attempt++) {
        try {
          await submitOne(i);
          break;
        } catch (err) {
          const detail = gatewayErrorText(err);
          // An attempt that timed out on the client may still have committed: creating it again is done.
          if (attempt > 1 && /CONFLICT: .*(already|exists)/.test(detail)) break;
          if (attempt === 1) firstErrors.set(detail.slice(0, 120), (firstErrors.get(detail.slice(0, 120)) ?? 0) + 1);
          if (attempt >= 10) throw new Error(`setup transaction ${i} failed ${attempt} times: ${detail}`);
          await new Promise((r) => setTimeout(r, 250 * attempt));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
