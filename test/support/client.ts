import { connectTo, gatewayErrorText, type IsolatedNetwork, type Layout, type Org } from '@ecf/network';
import { offeringDocumentBody } from './fixtures';

/** One identity's connection to its org's first peer, with JSON in and out. */
export class Client {
  private readonly conn;
  /**
   * @param everywhere MSP IDs whose peers must have committed a submitted transaction before `submit`
   *   returns. fabric-gateway returns once the client's own gateway peer has committed; a test that next
   *   acts through another org's peer would otherwise race that peer's commit.
   */
  constructor(
    layout: Layout,
    readonly org: Org,
    identity: string,
    private readonly everywhere: readonly string[] = [],
    private readonly chaincode = 'market',
    private readonly channel = 'market',
  ) {
    const peer = org.peers[0];
    if (!peer) throw new Error(`${org.name} has no peer`);
    this.conn = connectTo(layout, org, peer, identity);
  }

  private contract(name: string) {
    return this.conn.gateway.getNetwork(this.channel).getContract(this.chaincode, name);
  }

  async submit<T = unknown>(
    fn: string,
    opts: { args?: string[]; transient?: unknown; on?: string[] } = {},
  ): Promise<T> {
    const [contract, method] = fn.split(':') as [string, string];
    let result: Uint8Array;
    let txId: string;
    try {
      const commit = await this.contract(contract).submitAsync(method, {
        arguments: opts.args ?? [],
        transientData: opts.transient === undefined ? undefined : { payload: JSON.stringify(opts.transient) },
        ...(opts.on ? { endorsingOrganizations: opts.on } : {}),
      });
      result = commit.getResult();
      txId = commit.getTransactionId();
      const status = await commit.getStatus();
      if (!status.successful) throw new Error(`transaction ${txId} committed as invalid (code ${status.code})`);
    } catch (err) {
      throw withDetails(err);
    }
    await this.visibleEverywhere(txId);
    return decode<T>(result);
  }

  async evaluate<T = unknown>(
    fn: string,
    opts: { args?: string[]; transient?: unknown; on?: string[] } = {},
  ): Promise<T> {
    const [contract, method] = fn.split(':') as [string, string];
    try {
      const result = await this.contract(contract).evaluate(method, {
        arguments: opts.args ?? [],
        transientData: opts.transient === undefined ? undefined : { payload: JSON.stringify(opts.transient) },
        endorsingOrganizations: opts.on,
      });
      return decode<T>(result);
    } catch (err) {
      throw withDetails(err);
    }
  }

  /** Waits until every org in `everywhere` has the transaction in its peer's ledger (qscc lookup). */
  private async visibleEverywhere(txId: string): Promise<void> {
    const qscc = this.conn.gateway.getNetwork(this.channel).getContract('qscc');
    for (const mspId of this.everywhere) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await qscc.evaluate('GetTransactionByID', {
            arguments: [this.channel, txId],
            endorsingOrganizations: [mspId],
          });
          break;
        } catch (err) {
          if (Date.now() > deadline)
            throw new Error(`${mspId}'s peer never committed ${txId}: ${gatewayErrorText(err)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }

  close(): void {
    this.conn.close();
  }
}

function decode<T>(bytes: Uint8Array): T {
  const text = Buffer.from(bytes).toString('utf8');
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

/** fabric-gateway keeps the peers' messages in `details`; tests want them in the message. */
function withDetails(err: unknown): Error {
  const e = new Error(gatewayErrorText(err));
  e.name = (err as Error).name ?? 'Error';
  return e;
}

/** The clients a suite opens on one network, each waiting for every org's peer on submit; closed together. */
export class ClientPool {
  private readonly clients: Client[] = [];

  constructor(private readonly net: IsolatedNetwork) {}

  get(org: string, identity = 'gateway'): Client {
    const c = new Client(
      this.net.layout,
      this.net.org(org),
      identity,
      this.net.topology.orgs.map((o) => o.mspId),
    );
    this.clients.push(c);
    return c;
  }

  closeAll(): void {
    for (const c of this.clients.splice(0)) c.close();
  }
}

/** The regulator admits the default consortium: the trustee and two operators it serves. */
export async function admitDefaultConsortium(regulator: Client, reason: string): Promise<void> {
  await regulator.submit('Registry:AdmitParticipant', {
    args: [JSON.stringify({ mspId: 'TrusteeMSP', kind: 'trustee', reason })],
  });
  for (const mspId of ['OperatorAMSP', 'OperatorBMSP']) {
    await regulator.submit('Registry:AdmitParticipant', {
      args: [JSON.stringify({ mspId, kind: 'operator', trusteeMspId: 'TrusteeMSP', reason })],
    });
  }
}

/**
 * The trustee's instruments most suites trade: its MYR money token, and an ordinary share class of an
 * issuer, open to retail and sophisticated investors.
 */
export async function createInstruments(trustee: Client, classId: string, issuerAccountId: string): Promise<void> {
  await trustee.submit('Money:CreateToken', { args: [JSON.stringify({ currency: 'MYR', decimals: 2 })] });
  await createShareClass(trustee, classId, issuerAccountId);
}

/**
 * An ordinary share class of an issuer, open to retail and sophisticated investors, with a current offering
 * document attested by the trustee, so its campaigns can be approved (decision 50).
 */
export async function createShareClass(trustee: Client, classId: string, issuerAccountId: string): Promise<void> {
  await trustee.submit('Equity:CreateShareClass', {
    args: [
      JSON.stringify({
        classId,
        issuerAccountId,
        kind: 'ordinary',
        decimals: 0,
        allowedInvestorClasses: ['retail', 'sophisticated'],
      }),
    ],
  });
  await attachOfferingDocument(trustee, classId);
}

/** The trustee attaches a current offering document to a class, so its campaigns can be approved (decision 50). */
export async function attachOfferingDocument(trustee: Client, classId: string): Promise<void> {
  await trustee.submit('Documents:Attach', {
    args: [JSON.stringify({ classId, ...offeringDocumentBody(classId) })],
  });
}
