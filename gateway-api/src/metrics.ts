import type { CertificateExpiry } from '@ecf/network';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { checkpointedBlock } from './fabric/checkpoint';

/** What a gateway reads at each scrape for the network's alerts (docs/operations.md). */
export interface MetricSources {
  /** The regulator's: the audit relay's checkpoint file (the relay is another process, with no port). */
  readonly relayCheckpointFile?: string;
  /** The org's certificates and when each expires (Fabric exports no such metric). */
  readonly certificates?: () => readonly CertificateExpiry[];
}

/**
 * Prometheus metrics: HTTP latency by route, Fabric failures by class, submit-to-commit latency, and
 * answers the gateway could not shape as documented.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly http = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly fabricErrors = new Counter({
    name: 'gateway_fabric_errors_total',
    help: 'Fabric failures by class (chaincode, invalid, conflict, timeout, unavailable, identity; pending: sent for ordering, answered 202)',
    labelNames: ['class', 'operation'] as const,
    registers: [this.registry],
  });
  readonly commit = new Histogram({
    name: 'gateway_commit_duration_seconds',
    help: 'From proposal to commit status, per submitted transaction',
    labelNames: ['operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly mvccRetries = new Counter({
    name: 'gateway_mvcc_retries_total',
    help: 'Transactions endorsed again after an MVCC or phantom read conflict',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  /**
   * A result that failed its published schema (`schema`), or follow-up work after a commit that failed
   * (`follow-up`, e.g. the CA re-enrolment after a renewal). After a commit the client still gets its 2xx
   * with the transaction id, without `result`; this counter is how operators learn of it.
   */
  readonly responseFailures = new Counter({
    name: 'gateway_response_failures_total',
    help: 'Answers that could not be shaped as documented, by operation and stage (schema, follow-up)',
    labelNames: ['operation', 'stage'] as const,
    registers: [this.registry],
  });

  /** Admission control (decision 43): writes the gateway holds, by state. */
  readonly writeQueue = new Gauge({
    name: 'gateway_write_queue_depth',
    help: 'Writes admitted and not finished: running (holding their accounts) or waiting for an account',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly admissions = new Counter({
    name: 'gateway_write_admissions_total',
    help: 'Writes admitted, or refused (overloaded: the queue is full; account_busy: the per-account limit; expired: the deadline passed in the queue)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly accountWait = new Histogram({
    name: 'gateway_account_wait_seconds',
    help: 'Time an admitted write waited for earlier writes on the same accounts',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly retryPermits = new Counter({
    name: 'gateway_retry_permits_total',
    help: 'Conflict retries the admission budget granted or refused (refused: the gateway was at capacity)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources = {}) {
    collectDefaultMetrics({ register: this.registry });
    const { relayCheckpointFile, certificates } = sources;
    if (relayCheckpointFile !== undefined) {
      new Gauge({
        name: 'ecf_audit_relay_filed_block',
        help: 'The last market block whose audit filings are all committed (-1: none yet)',
        registers: [this.registry],
        collect() {
          this.set(Number(checkpointedBlock(relayCheckpointFile) ?? -1n));
        },
      });
    }
    if (certificates !== undefined) {
      new Gauge({
        name: 'ecf_certificate_not_after_seconds',
        help: "When each of the org's certificates expires (seconds since the epoch)",
        labelNames: ['identity', 'usage'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const c of certificates()) this.set({ identity: c.identity, usage: c.usage }, c.notAfter);
        },
      });
    }
  }
}
