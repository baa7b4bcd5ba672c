import {
  channelPort,
  FabricFailure,
  loadConfig,
  OPERATIONS,
  openWallet,
  SERVICE_IDENTITY,
  type Operation,
} from '@ecf/gateway-api';
import { crashProcess } from '@ecf/network';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blocksSeenBy } from '../support/adversary';
import { PublishedContract } from '../support/contract';
import { until } from '../support/eventually';
import { campaignTerms, kyc, offeringDocumentBody, pastClose, sleep } from '../support/fixtures';
import {
  admitConsortium,
  Api,
  exchanges,
  gatewayCli,
  gatewayUrl,
  tokenFor,
  upWithGateways,
  type Exchange,
} from '../support/http';
import { TestNetwork } from '../support/network';
import { fuzzGateway } from '../support/schemathesis';

const MYR = 'TrusteeMSP.MYR';
const CLASS = 'ACME-ORD';
const reason = 'licensed for equity crowdfunding';
const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-93817`,
  dateOfBirth: '1984-03-02',
  email: `${name}@mail.example.org`,
});

describe('the gateway API over HTTP on the real network', function () {
  this.timeout(600_000);
  const net = new TestNetwork(15_000);
  let regulator: Api;
  let trustee: Api;
  let operatorA: Api;
  let operatorB: Api;
  const customers: Record<string, Api> = {};
  /** The transaction of ann's pledge in the journey: a write by a customer, for the status route. */
  let annPledgeTx = '';
  /** Every token and personal datum the suite used: none may appear in any gateway log. */
  const secrets: string[] = [];

  /**
   * What an integrator checks of answers received since `from`: none is a 5xx, and each matches the
   * document its gateway publishes (route, status, content type and body schema).
   */
  const contracts = new Map<string, PublishedContract>();
  const expectContractKept = async (from: number): Promise<Exchange[]> => {
    const answers = exchanges.slice(from);
    expect(answers.length).to.be.greaterThan(0);
    // A 5xx is reported with what the gateway logged for its request (the cause never reaches the client).
    const serverErrors = answers
      .filter((a) => a.status >= 500)
      .map((a) => {
        const requestId =
          String((a.body as { instance?: string } | undefined)?.instance ?? '')
            .split(':')
            .pop() ?? '';
        const logged = requestId
          ? gatewayLogs()
              .split('\n')
              .filter((l) => l.includes(requestId))
          : [];
        return `${a.method} ${a.path} -> ${a.status} ${JSON.stringify(a.body)}\n${logged.join('\n')}`;
      });
    expect(serverErrors, 'answers that were 5xx').to.deep.equal([]);
    const mismatches: string[] = [];
    for (const a of answers) {
      let contract = contracts.get(a.base);
      if (!contract) contracts.set(a.base, (contract = await PublishedContract.load(a.base)));
      const wrong = contract.check(a);
      if (wrong) mismatches.push(wrong);
    }
    expect(mismatches, 'answers that do not match the published document').to.deep.equal([]);
    return answers;
  };
  const gatewayLogs = (): string =>
    readdirSync(net.layout.logs)
      .filter((f) => f.startsWith('gateway.'))
      .map((f) => readFileSync(join(net.layout.logs, f), 'utf8'))
      .join('\n');
  /** Every valid transaction of `market` after block `after`, as the regulator's peer holds them. */
  const validTxsAfter = async (after: number): Promise<string[]> =>
    (await blocksSeenBy(net.layout, net.org('Regulator'), 'market'))
      .filter((t) => t.block > after && t.valid)
      .map((t) => t.txId);
  const marketHeight = async (): Promise<number> =>
    Math.max(...(await blocksSeenBy(net.layout, net.org('Regulator'), 'market')).map((t) => t.block), 0);
  /** The transaction ids of the 2xx writes among answers. */
  const committedBy = (answers: Exchange[]): string[] =>
    answers
      .filter((a) => a.status < 300 && a.method !== 'GET')
      .map((a) => (a.body as { txId?: string } | undefined)?.txId)
      .filter((t): t is string => typeof t === 'string');

  const balance = async (api: Api, accountId: string, assetId: string) =>
    BigInt((await api.get(`/v1/accounts/${accountId}/balances/${assetId}`)).body.balance ?? '-1');

  before(async () => {
    ({ regulator, trustee, operatorA, operatorB } = await upWithGateways(net));
    secrets.push(...[regulator, trustee, operatorA, operatorB].map((a) => a.token));
  });

  after(async () => {
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  it('runs the whole journey: admit, onboard, deposit, campaign, pledge, settle, trade, withdraw', async () => {
    const firstAnswer = exchanges.length;
    const startBlock = await marketHeight();
    // The regulator admits the trustee and the operators.
    await admitConsortium(regulator, operatorB, reason);

    // Operators onboard people: CA identity, wallet entry, on-chain account; personal data stays private.
    const onboard = async (op: Api, org: string, accountId: string, type: string, investorClass?: string) => {
      const personal = person(accountId);
      secrets.push(personal.fullName, personal.nationalId, personal.email);
      const res = await op.ok('POST', '/v1/accounts', { accountId, type, kyc: kyc(investorClass), personal });
      expect(res.result).to.deep.equal({ accountId, identity: `acct-${accountId}` });
      customers[accountId] = await tokenFor(net, org, `acct-${accountId}`);
      secrets.push(customers[accountId]!.token);
    };
    await onboard(operatorA, 'OperatorA', 'acme', 'issuer', 'sophisticated');
    await onboard(operatorA, 'OperatorA', 'ann', 'investor');
    await onboard(operatorB, 'OperatorB', 'cat', 'investor');
    const ann = customers.ann!;
    const cat = customers.cat!;

    // An operator never sees a competitor's customers; a customer sees only itself.
    await until(
      () => trustee.get('/v1/accounts/cat'),
      (r) => r.status === 200,
      'cat visible to the trustee',
    );
    // Until OperatorA's peer has the block, it answers 404 (no such account) rather than 403.
    const refused = async (api: Api) =>
      (
        await until(
          () => api.get('/v1/accounts/cat'),
          (r) => r.status !== 404,
          'cat',
        )
      ).status;
    expect(await refused(operatorA)).to.equal(403);
    expect(await refused(ann)).to.equal(403);
    expect((await ann.get('/v1/accounts/ann')).body.id).to.equal('ann');
    const verified = await operatorA.get('/v1/accounts/ann/personal-data/verification');
    expect(verified.body).to.include({ present: true, matchesAccount: true });

    // The trustee creates the money token and the issuer's share class, and mints against deposits.
    expect((await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 })).result.id).to.equal(MYR);
    await trustee.ok('POST', '/v1/share-classes', {
      classId: CLASS,
      issuerAccountId: 'acme',
      kind: 'ordinary',
      decimals: 0,
      allowedInvestorClasses: ['retail', 'sophisticated'],
    });
    await trustee.ok('POST', `/v1/share-classes/${CLASS}/documents`, offeringDocumentBody(CLASS));
    for (const accountId of ['ann', 'cat']) {
      await trustee.ok('POST', '/v1/deposits', {
        accountId,
        tokenId: MYR,
        amount: '1000000',
        bankReference: `DEP-${accountId}`,
      });
    }
    await until(
      () => balance(ann, 'ann', MYR),
      (b) => b === 1_000_000n,
      'deposit visible to ann',
    );

    // The issuer proposes through its own credential, the operator approves, the trustee escrows units.
    const terms = campaignTerms({ campaignId: 'seed', classId: CLASS, tokenId: MYR }, 30);
    await until(
      () => customers.acme!.get('/v1/accounts/acme'),
      (r) => r.status === 200,
      'acme sees itself',
    );
    expect((await customers.acme!.ok('POST', '/v1/campaigns', terms)).result.status).to.equal('PROPOSED');
    await operatorA.ok('POST', '/v1/campaigns/seed/approval', {});
    await until(
      () => trustee.get('/v1/campaigns/seed'),
      (r) => r.body?.status === 'APPROVED',
      'approval visible',
    );
    await trustee.ok('POST', '/v1/campaigns/seed/funding', {});

    // Investors pledge with their own credentials: the body does not (and may not) name another account.
    await until(
      () => ann.get('/v1/campaigns/seed'),
      (r) => r.body?.status === 'FUNDED',
      'funding visible',
    );
    expect((await ann.call('POST', '/v1/campaigns/seed/pledges', { accountId: 'cat', amount: '500' })).status).to.equal(
      403,
    );
    const pledge = await ann.ok('POST', '/v1/campaigns/seed/pledges', { amount: '6000' });
    const pledgeId = pledge.result;
    expect(pledgeId).to.be.a('string');
    annPledgeTx = pledge.txId;
    await until(
      () => cat.get('/v1/campaigns/seed'),
      (r) => r.body?.status === 'FUNDED',
      'funding visible to B',
    );
    await cat.ok('POST', '/v1/campaigns/seed/pledges', { amount: '4000' });
    const pledges = await ann.get('/v1/campaigns/seed/pledges');
    expect(pledges.body.items.map((p: { amount: string }) => p.amount)).to.deep.equal(['6000']);

    // After the close, the trustee settles batch by batch.
    await pastClose(terms);
    let status = '';
    for (let i = 0; i < 20 && status !== 'SUCCEEDED' && status !== 'FAILED'; i++) {
      status = (await trustee.ok('POST', '/v1/campaigns/seed/settlement', { batchSize: 1 })).result.status;
    }
    expect(status).to.equal('SUCCEEDED');
    await until(
      () => balance(ann, 'ann', CLASS),
      (b) => b === 60n,
      'ann holds her units',
    );
    await until(
      () => balance(regulator, 'acme', MYR),
      (b) => b === 10_000n,
      'acme paid, seen by the regulator',
    );

    // Secondary market: ann sells, cat buys, the custodian matches delivery-versus-payment.
    await ann.ok('POST', '/v1/orders', { classId: CLASS, tokenId: MYR, side: 'SELL', price: '120', quantity: '20' });
    await until(
      () => cat.get(`/v1/share-classes/${CLASS}/order-book`),
      (r) => r.body?.asks?.length === 1,
      'ask visible',
    );
    await sleep(1100);
    // cat (OperatorB) and ann (OperatorA): a transfer cannot cross operators, and the check says so.
    const check = await cat.call('POST', '/v1/transfers/check', { to: 'ann', assetId: MYR, amount: '1' });
    expect(check.body).to.include({ allowed: false, code: 'CROSS_OPERATOR' });
    expect(check.body.message).to.contain('/v1/instructions');
    const transfer = await cat.call('POST', '/v1/transfers', { to: 'ann', assetId: MYR, amount: '1' });
    expect([transfer.status, transfer.body.code, transfer.body.reason]).to.deep.equal([
      422,
      'COMPLIANCE',
      'CROSS_OPERATOR',
    ]);
    await cat.ok('POST', '/v1/orders', { classId: CLASS, tokenId: MYR, side: 'BUY', price: '125', quantity: '15' });
    await until(
      () => trustee.get(`/v1/share-classes/${CLASS}/order-book`),
      (r) => r.body?.bids?.length === 1,
      'bid visible',
    );
    expect((await trustee.ok('POST', `/v1/share-classes/${CLASS}/matching`, {})).result.fills).to.equal(1);
    await until(
      () => balance(cat, 'cat', CLASS),
      (b) => b === 55n,
      'units delivered to cat',
    );
    const trades = await until(
      () => regulator.get(`/v1/share-classes/${CLASS}/trades`),
      (r) => r.body?.items?.length > 0,
      'trade seen by the regulator',
    );
    expect(trades.body.items.map((t: { quantity: string; price: string }) => `${t.quantity}@${t.price}`)).to.deep.equal(
      ['15@120'],
    );

    // The trustee pays money out of the market; supply still equals holdings + transit + escrow.
    const before = await balance(trustee, 'cat', MYR);
    await trustee.ok('POST', '/v1/withdrawals', {
      accountId: 'cat',
      tokenId: MYR,
      amount: '1000',
      bankReference: 'OUT-cat',
    });
    expect(await balance(trustee, 'cat', MYR)).to.equal(before - 1000n);
    for (const assetId of [MYR, CLASS]) {
      const supply = await until(
        () => regulator.get(`/v1/assets/${assetId}/supply`),
        (r) => r.status === 200,
        'supply',
      );
      expect(supply.body.consistent, JSON.stringify(supply.body)).to.equal(true);
    }

    // The regulator's relay (started with the gateways) reported the campaign's outcome and the trade.
    const filed = async (type: string) => (await regulator.get(`/v1/audit/records?type=${type}`)).body.items ?? [];
    const outcome = await until(
      () => filed('CAMPAIGN_OUTCOME'),
      (items) => items.length > 0,
      'campaign outcome filed',
      60_000,
    );
    expect(outcome.map((r: { id: string; details: { outcome: string } }) => [r.id, r.details.outcome])).to.deep.equal([
      ['campaign:seed', 'SUCCEEDED'],
    ]);
    const reported = await until(
      () => filed('TRADE'),
      (items) => items.length > 0,
      'trade filed',
      60_000,
    );
    expect(reported[0].details).to.include({ buyer: 'cat', seller: 'ann', quantity: '15', price: '120' });
    // Filed through the regulator's peer; OperatorB reads it through its own.
    const seenByB = await until(
      () => operatorB.get('/v1/audit/records?type=TRADE'),
      (r) => r.body?.items?.length > 0,
      'trade report seen by B',
    );
    expect(seenByB.body.items).to.have.length(1);

    // The contract held for every answer of the journey, settlements included: no 5xx, no schema mismatch.
    const answers = await expectContractKept(firstAnswer);
    // Nothing but answered writes reached the ledger: every valid transaction since the journey began is
    // the txId of a 2xx answer, and every 2xx answer's txId is a valid transaction.
    const committed = committedBy(answers);
    const onLedger = await until(
      () => validTxsAfter(startBlock),
      (txs) => committed.every((t) => txs.includes(t)),
      'every answered write on the regulator peer',
      60_000,
    );
    expect(
      onLedger.filter((t) => !committed.includes(t)),
      'valid transactions no 2xx answered',
    ).to.deep.equal([]);
  });

  it("tells a write's sender its outcome at GET /v1/transactions/{txId}, and another org's customer nothing", async () => {
    expect(annPledgeTx).to.match(/^[0-9a-f]{64}$/);
    const own = await customers.ann!.get(`/v1/transactions/${annPledgeTx}`);
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
    expect(own.body).to.include({ txId: annPledgeTx, status: 'COMMITTED', validationCode: 'VALID' });
    expect(Object.keys(own.body).sort(), 'the outcome only').to.deep.equal([
      'blockNumber',
      'status',
      'txId',
      'validationCode',
    ]);
    // OperatorB's customer, at its own gateway: 404, as for an id that does not exist.
    const other = await customers.cat!.get(`/v1/transactions/${annPledgeTx}`);
    expect(other.status, JSON.stringify(other.body)).to.equal(404);
    const unknown = await customers.cat!.get(`/v1/transactions/${'0'.repeat(64)}`);
    expect(other.body.detail.replace(annPledgeTx, '')).to.equal(unknown.body.detail.replace('0'.repeat(64), ''));
  });

  it("streams the org's events over SSE and resumes after Last-Event-ID", async () => {
    const read = async (api: Api, headers: Record<string, string>, query: string, want: number) => {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), 30_000);
      const ids: string[] = [];
      let text = '';
      try {
        const res = await fetch(`${api.base}/v1/events${query}`, {
          headers: { Authorization: `Bearer ${api.token}`, ...headers },
          signal: ctl.signal,
        });
        expect(res.status).to.equal(200);
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk);
          ids.splice(0, ids.length, ...[...text.matchAll(/^id: (.*)$/gm)].map((m) => m[1] as string));
          if (ids.length >= want) break;
        }
      } catch (err) {
        if ((err as Error).name !== 'AbortError') throw err;
      } finally {
        clearTimeout(timer);
        ctl.abort();
      }
      return { ids, text };
    };
    const first = await read(operatorA, {}, '?fromBlock=0', 6);
    expect(first.ids.length).to.be.at.least(6);
    expect(first.text).to.contain('"accountId":"ann"');
    expect(first.text, "operator A's feed names no customer of B").not.to.contain('"accountId":"cat"');
    const resumed = await read(operatorA, { 'Last-Event-ID': first.ids[2]! }, '', 3);
    expect(resumed.ids.slice(0, 3)).to.deep.equal(first.ids.slice(3, 6));
  });

  it("gives each role's token exactly the routes of that role (authorization matrix)", async () => {
    const tokens: Record<string, Api> = {
      regulator,
      trustee,
      operator: operatorA,
      investor: customers.ann!,
      issuer: customers.acme!,
    };
    const firstAnswer = exchanges.length;
    const startBlock = await marketHeight();
    const sample = (op: Operation) =>
      op.path.replace(/:([A-Za-z]+)/g, (_m, name: string) =>
        name === 'accountId' ? 'ann' : name === 'mspId' ? 'OperatorAMSP' : 'nothing-here',
      );
    const cells: string[] = [];
    for (const op of OPERATIONS) {
      for (const [role, api] of Object.entries(tokens)) {
        // Writes carry an empty body: a role the gateway lets through stops at validation (400), so the
        // matrix changes nothing on the ledger; reads reach the chaincode, which may refuse on its own.
        const res = await api.call(
          op.method.toUpperCase(),
          sample(op),
          op.method === 'get' || op.method === 'delete' ? undefined : {},
        );
        const refusedByRole = res.status === 403 && /credential cannot/.test(String(res.body?.detail));
        const allowed = op.roles.includes(role as Operation['roles'][number]);
        if (allowed === refusedByRole || res.status === 401 || res.status >= 500) {
          cells.push(`${role} ${op.method.toUpperCase()} ${op.path}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(cells, cells.join('\n')).to.deep.equal([]);
    // Every route, every role: each answer is documented for its route and matches its schema, and no
    // refused request wrote anything (every valid transaction since is the txId of a 2xx answer).
    const committed = committedBy(await expectContractKept(firstAnswer));
    expect((await validTxsAfter(startBlock)).filter((t) => !committed.includes(t))).to.deep.equal([]);
  });

  it('executes a write once when the gateway is killed mid-request and the client retries with its key', async () => {
    const before = await balance(trustee, 'ann', MYR);
    const url = gatewayUrl(net, 'Trustee');
    const delays = [0, 80, 200, 350, 600];
    for (const [i, delay] of delays.entries()) {
      const key = `restart-${i}`;
      const body = { accountId: 'ann', tokenId: MYR, amount: '7', bankReference: `RESTART-${i}` };
      const inFlight = trustee.call('POST', '/v1/deposits', body, { 'Idempotency-Key': key }).catch((e: Error) => e);
      await sleep(delay);
      // In-process, not through the CLI: spawning it would take longer than the request it should cut.
      crashProcess(net.layout, 'gateway.trustee');
      await inFlight;
      await gatewayCli(net, 'up', '--org', 'Trustee');
      const retried = await new Api(url, trustee.token).call('POST', '/v1/deposits', body, { 'Idempotency-Key': key });
      expect(retried.status, JSON.stringify(retried.body)).to.equal(201);
      const replay = await trustee.call('POST', '/v1/deposits', body, { 'Idempotency-Key': key });
      expect(replay.status).to.equal(201);
      expect(replay.body.txId).to.equal(retried.body.txId);
    }
    expect(await balance(trustee, 'ann', MYR)).to.equal(before + 7n * BigInt(delays.length));
  });

  it('settles a transaction whose answer was lost by sending it again: Fabric commits its id once', async () => {
    // What the gateway does for a key left without an answer (FabricPort.seal), on real peers and orderers.
    const config = loadConfig({ org: 'Trustee', topologyFile: net.topologyFile, layout: net.layout });
    const fabric = channelPort(config, await openWallet(config), 'market');
    const deadline = () => Date.now() + 60_000;
    const deposit = (bankReference: string) => ({
      fn: 'Money:Deposit',
      transient: { accountId: 'ann', tokenId: MYR, amount: '3', bankReference },
      deadline: deadline(),
    });
    try {
      const start = await balance(trustee, 'ann', MYR);

      // Endorsed and kept, then the gateway died before ordering: sending it again commits it, once.
      let kept: { txId: string; transaction: Uint8Array } = { txId: '', transaction: new Uint8Array() };
      const died = await fabric
        .submit(SERVICE_IDENTITY, deposit('SEAL-LOST'), {
          beforeOrder: async (txId, transaction) => {
            kept = { txId, transaction };
            throw new Error('killed before ordering');
          },
        })
        .then(
          () => undefined,
          (err: Error) => err,
        );
      expect(died?.message).to.contain('killed before ordering');
      expect(await fabric.findTransaction(kept.txId, deadline())).to.equal(undefined);
      const sealed = await fabric.seal(kept.transaction, deadline());
      expect(sealed).to.include({ txId: kept.txId, valid: true });
      expect(await fabric.seal(kept.transaction, deadline())).to.deep.equal(sealed);

      // Handed to ordering, then no commit status before the deadline: the port marks the failure pending,
      // naming that transaction (the HTTP layer answers 202, never a 5xx, decision 63), and it still
      // commits once. The hook holds the hand-off until the call's own deadline has passed.
      const cutoff = Date.now() + 8_000;
      let handed: { txId: string; transaction: Uint8Array } = { txId: '', transaction: new Uint8Array() };
      const unanswered = await fabric
        .submit(
          SERVICE_IDENTITY,
          { ...deposit('SEAL-PENDING'), deadline: cutoff },
          {
            beforeOrder: async (txId, transaction) => {
              handed = { txId, transaction };
              await sleep(Math.max(0, cutoff - Date.now()) + 10);
            },
          },
        )
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(unanswered).to.be.instanceOf(FabricFailure);
      expect(unanswered).to.include({ pending: true, txId: handed.txId });
      expect(await fabric.seal(handed.transaction, deadline())).to.include({ txId: handed.txId, valid: true });

      // Committed, answer lost: sending it again changes nothing. The ordering nodes refuse the copy as
      // "already processed", or order it and the peers invalidate it as DUPLICATE_TXID.
      let again: Uint8Array = new Uint8Array();
      const committed = await fabric.submit(SERVICE_IDENTITY, deposit('SEAL-DONE'), {
        beforeOrder: async (_txId, transaction) => {
          again = transaction;
        },
      });
      const resent = await fabric.seal(again, deadline());
      expect(resent).to.include({ txId: committed.txId, valid: true, blockNumber: committed.blockNumber });
      await fabric.submit(SERVICE_IDENTITY, deposit('SEAL-AFTER'));
      expect(await balance(trustee, 'ann', MYR)).to.equal(start + 12n);
      for (const txId of [kept.txId, handed.txId, committed.txId]) {
        expect((await fabric.findTransaction(txId, deadline()))?.validationCode).to.equal('VALID');
      }
    } finally {
      fabric.close();
    }
  });

  it('a refused onboarding changes nothing at the CA or in any wallet', async () => {
    const walletOf = async (org: string) =>
      openWallet(loadConfig({ org, topologyFile: net.topologyFile, layout: net.layout }));
    const before = (await (await walletOf('OperatorA')).get('acct-ann')).credentials.certificate;
    const again = { accountId: 'ann', type: 'issuer', kyc: kyc(), personal: person('ann') };
    // OperatorA re-onboarding its own customer under another type: 409, and ann's identity untouched.
    const own = await operatorA.call('POST', '/v1/accounts', again);
    expect(own.status, JSON.stringify(own.body)).to.equal(409);
    expect(own.body.detail).to.equal('account ann already exists');
    const after = (await (await walletOf('OperatorA')).get('acct-ann')).credentials.certificate;
    expect(after, "ann's certificate is the one she had").to.equal(before);
    expect((await customers.ann!.get('/v1/accounts/ann')).status, "ann's own token still works").to.equal(200);
    // OperatorB naming OperatorA's customer: the same 409, and nothing in B's wallet.
    const competitor = await operatorB.call('POST', '/v1/accounts', { ...again, type: 'investor' });
    expect(competitor.status, JSON.stringify(competitor.body)).to.equal(409);
    expect(await gatewayCli(net, 'identities', '--org', 'OperatorB')).not.to.contain('acct-ann');
    // An id too long for a CA identity is a 400, not a CA error.
    const long = await operatorA.call('POST', '/v1/accounts', { ...again, accountId: 'x'.repeat(62) });
    expect(long.status, JSON.stringify(long.body)).to.equal(400);
  });

  it("lets an operator issue, list and revoke its customers' tokens through the API, and no one else's", async () => {
    const issued = await operatorA.call('POST', '/v1/accounts/ann/tokens', {
      scopes: ['read'],
      expiresInDays: 1,
      label: 'e2e',
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    expect(issued.body).to.include({ identity: 'acct-ann', role: 'investor', accountId: 'ann' });
    secrets.push(issued.body.token);
    const annRead = new Api(gatewayUrl(net, 'OperatorA'), issued.body.token);
    expect((await annRead.get('/v1/accounts/ann')).status).to.equal(200);
    expect((await annRead.get('/v1/accounts/acme')).status).to.equal(403);
    const listed = await operatorA.get('/v1/accounts/ann/tokens');
    expect(listed.status).to.equal(200);
    expect(listed.body.items.map((t: { id: string }) => t.id)).to.include(issued.body.id);
    expect(JSON.stringify(listed.body)).not.to.contain(issued.body.token);
    // OperatorB cannot reach OperatorA's customer, through its own gateway or at all.
    expect((await operatorB.call('POST', '/v1/accounts/ann/tokens', {})).status).to.equal(403);
    expect((await operatorB.get('/v1/accounts/ann/tokens')).status).to.equal(403);
    const revoked = await operatorA.call('DELETE', `/v1/accounts/ann/tokens/${issued.body.id}`);
    expect(revoked.status).to.equal(204);
    expect((await annRead.get('/v1/accounts/ann')).status).to.equal(401);
  });

  it('offboarding revokes the certificate at the CA and the tokens bound to it', async () => {
    await operatorA.ok('POST', '/v1/accounts', {
      accountId: 'zed',
      type: 'investor',
      kyc: kyc(),
      personal: person('zed'),
    });
    secrets.push(...Object.values(person('zed')));
    const zed = await tokenFor(net, 'OperatorA', 'acct-zed');
    secrets.push(zed.token);
    expect((await zed.get('/v1/accounts/zed')).status).to.equal(200);
    const renewed = await operatorA.ok('POST', '/v1/accounts/zed/credential/renewal', {});
    expect(renewed).to.include({ identity: 'acct-zed' });
    expect((await zed.get('/v1/accounts/zed')).status, 'the renewed certificate still acts as zed').to.equal(200);
    const off = await operatorA.ok('PUT', '/v1/accounts/zed/status', {
      status: 'OFFBOARDED',
      reason: 'customer closed the account',
    });
    expect(off.result.status).to.equal('OFFBOARDED');
    expect((await zed.get('/v1/accounts/zed')).status).to.equal(401);
    expect(await gatewayCli(net, 'identities', '--org', 'OperatorA')).not.to.contain('acct-zed');
    // An offboarded id is never reused: refused up front, not a 500 from a revoked CA identity.
    const reuse = await operatorA.call('POST', '/v1/accounts', {
      accountId: 'zed',
      type: 'investor',
      kyc: kyc(),
      personal: person('zed'),
    });
    expect(reuse.status, JSON.stringify(reuse.body)).to.equal(409);
    expect(reuse.body.detail).to.contain('offboarded');
  });

  it('answers bad input with problems and leaves no secret or personal data in any gateway log', async () => {
    const firstAnswer = exchanges.length;
    const bad = await trustee.call('POST', '/v1/deposits', {
      accountId: 'ann',
      tokenId: MYR,
      amount: '-1',
      bankReference: 'X',
    });
    expect(bad.status).to.equal(400);
    expect(bad.headers.get('content-type')).to.match(/problem\+json/);
    const unknown = await trustee.call('POST', '/v1/deposits', {
      accountId: 'nobody',
      tokenId: MYR,
      amount: '1',
      bankReference: 'X',
    });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.code).to.equal('NOT_FOUND');
    await expectContractKept(firstAnswer);
    const logs = readdirSync(net.layout.logs)
      .filter((f) => f.startsWith('gateway.'))
      .map((f) => readFileSync(join(net.layout.logs, f), 'utf8'))
      .join('\n');
    expect(logs).to.contain('"route":"/v1/accounts"');
    for (const s of [...secrets, 'PRIVATE KEY', 'BEGIN CERTIFICATE']) {
      expect(logs.includes(s), `logs contain ${s.slice(0, 12)}…`).to.equal(false);
    }
  });

  // Last: generated requests may suspend participants or freeze accounts, which no later test expects.
  it('keeps its published contract under generated requests (schemathesis): every route, every role, no 5xx', async function () {
    this.timeout(1_800_000);
    const roles: Record<string, Api> = {
      regulator,
      trustee,
      operator: operatorA,
      investor: customers.ann!,
      issuer: customers.acme!,
    };
    // The roles run side by side: each has its own token, and the gateway's rate limit is per token, so
    // each run keeps under it on its own (schemathesis's --rate-limit).
    const runs = await Promise.all(
      Object.entries(roles).map(async ([role, api]) => ({
        role,
        run: await fuzzGateway(api.base, api.token, { maxExamples: 5, seed: 20261204 }),
      })),
    );
    const found: string[] = [];
    for (const { role, run } of runs) {
      console.log(`      ${role}: ${run.summary.split('\n').at(-1) ?? ''}`);
      if (run.exitCode !== 0) found.push(`${role} (exit ${run.exitCode}):\n${run.failures}`);
    }
    expect(found, found.join('\n\n')).to.deep.equal([]);
  });
});
