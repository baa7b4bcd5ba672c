import type { IsolatedNetwork } from '@ecf/network';
import { until } from './eventually';

/**
 * Response bodies in the suites are read field by field; the gateway has already validated them against
 * its OpenAPI document before sending, so the tests do not restate those types.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface HttpResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** An answer a suite received, kept so that a suite can check it against the published contract. */
export interface Exchange {
  /** The gateway's base URL: each org publishes its own document. */
  readonly base: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

/** Every answer every Api of this process received, in order. */
export const exchanges: Exchange[] = [];

/** One API token's view of one org's gateway. */
export class Api {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  async call<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const contentType = res.headers.get('content-type');
    const answer = (text && /json/.test(contentType ?? '') ? JSON.parse(text) : text || undefined) as T;
    exchanges.push({ base: this.base, method, path, status: res.status, contentType, body: answer });
    return { status: res.status, body: answer, headers: res.headers };
  }

  get<T = Json>(path: string) {
    return this.call<T>('GET', path);
  }

  /**
   * A write that must succeed; retried with the same Idempotency-Key while the outcome is unknown (a 202
   * PENDING too: the retry answers what became of the transaction).
   */
  async ok<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    key = `${method}${path}${Math.random()}`,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.call<T>(method, path, body, method === 'GET' ? {} : { 'Idempotency-Key': key });
      if (res.status < 300 && res.status !== 202) return res.body;
      if (attempt < 3 && [202, 409, 503, 504].includes(res.status)) continue;
      throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
}

/** Runs the gateway CLI against a test network instance. */
export function gatewayCli(net: IsolatedNetwork, ...args: string[]): Promise<string> {
  return net.node('gateway-api/dist/cli.js', args);
}

export function gatewayUrl(net: IsolatedNetwork, org: string): string {
  return `http://127.0.0.1:${net.org(org).ca.port + 80}`;
}

/** Creates a token bound to a wallet identity of an org (what an org admin does with the CLI). */
export async function tokenFor(net: IsolatedNetwork, org: string, identity: string, scopes?: string): Promise<Api> {
  const out = await gatewayCli(
    net,
    'token',
    'create',
    '--org',
    org,
    '--identity',
    identity,
    ...(scopes ? ['--scopes', scopes] : []),
  );
  const token = out.trim().split('\n').pop() ?? '';
  return new Api(gatewayUrl(net, org), token);
}

/** Brings a test network up with every org's gateway (and the regulator's relay); one token per org. */
export async function upWithGateways(
  net: IsolatedNetwork,
): Promise<{ regulator: Api; trustee: Api; operatorA: Api; operatorB: Api }> {
  await net.cli('up');
  await gatewayCli(net, 'up');
  const [regulator, trustee, operatorA, operatorB] = await Promise.all(
    ['Regulator', 'Trustee', 'OperatorA', 'OperatorB'].map((org) => tokenFor(net, org, 'gateway')),
  );
  if (!regulator || !trustee || !operatorA || !operatorB) throw new Error('a gateway token is missing');
  return { regulator, trustee, operatorA, operatorB };
}

/** The regulator admits the trustee and both operators over HTTP; returns once OperatorB's peer sees it. */
export async function admitConsortium(regulator: Api, operatorB: Api, reason: string): Promise<void> {
  await regulator.ok('POST', '/v1/participants', { mspId: 'TrusteeMSP', kind: 'trustee', reason });
  for (const mspId of ['OperatorAMSP', 'OperatorBMSP']) {
    await regulator.ok('POST', '/v1/participants', { mspId, kind: 'operator', trusteeMspId: 'TrusteeMSP', reason });
  }
  await until(
    () => operatorB.get('/v1/participants/OperatorBMSP'),
    (r) => r.status === 200,
    'admission visible',
  );
}
