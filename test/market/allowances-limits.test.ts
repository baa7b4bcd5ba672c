import { config, expect } from 'chai';
import { beneficialOwnerHash, INVESTOR_LIMITS_COLLECTION, type LimitCheck } from '@ecf/common';
import { enrollUser } from '@ecf/network';
import {
  blocksSeenBy,
  compositeKey,
  enumerateAmounts,
  privateWritesSeenBy,
  sha256,
  type SeenTx,
} from '../support/adversary';
import { attachOfferingDocument, Client, ClientPool } from '../support/client';
import { until } from '../support/eventually';
import { gatewayCli } from '../support/http';
import { campaignTerms, nowSeconds } from '../support/fixtures';
import { sharedMarket, SHARED_MONEY } from '../support/shared-network';
import { balanceOf, depositTo, onboardAccount } from '../support/market-steps';

const MYR = SHARED_MONEY;
/** The limits' own token, so the caps set here bind no other suite's pledges on the shared network. */
const NZD = 'TrusteeMSP.NZD';
const CLASS = 'LIM-ORD';
const salt = 'YWxsb3dhbmNlLWxpbWl0cy1zYWx0';
// A refusal's whole text in a failure: the peers' details come after Fabric's own words.
config.truncateThreshold = 0;

describe('custodial allowances and cross-platform investor limits on the real network', function () {
  this.timeout(600_000);
  let pool: ClientPool;
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;
  let holder: Client;

  const onboard = (op: Client, accountId: string, type: 'investor' | 'issuer', nationalId: string) =>
    onboardAccount(op, accountId, type, salt, { nationalId, dateOfBirth: '1985-05-05' });
  const deposit = (accountId: string, tokenId: string, amount: string) =>
    depositTo(trustee, accountId, tokenId, amount);
  const balance = (accountId: string, assetId: string) => balanceOf(regulator, accountId, assetId);
  /** The refusal's text; the move must have been refused. */
  const refusal = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  };

  before(async () => {
    pool = (await sharedMarket()).pool;
    regulator = pool.get('Regulator');
    trustee = pool.get('Trustee');
    operatorA = pool.get('OperatorA');
    operatorB = pool.get('OperatorB');
    const { net } = await sharedMarket();
    await onboard(operatorA, 'alw-holder', 'investor', 'ALW-1');
    await onboard(operatorA, 'alw-dest', 'investor', 'ALW-2');
    await deposit('alw-holder', MYR, '10000');
    await enrollUser(net.layout, await net.bin(), net.org('OperatorA'), 'alw-holder', {
      role: 'investor',
      account: 'alw-holder',
    });
    holder = pool.get('OperatorA', 'alw-holder');
  });

  describe('allowances', () => {
    const ref = { accountId: 'alw-holder', spenderMspId: 'TrusteeMSP', assetId: MYR };
    const spend = (amount: string, by = trustee) =>
      by.submit<{ instructionId?: string }>('Allowances:Spend', {
        transient: { from: 'alw-holder', to: 'alw-dest', assetId: MYR, amount },
      });

    it('lets the allowed org move within the allowance without the holder, and refuses a move over it', async () => {
      await holder.submit('Allowances:Approve', {
        transient: { ...ref, amount: '1000', expiresAt: nowSeconds() + 3600 },
      });
      // Only the holder's own credential approves: its operator cannot consent for it.
      expect(
        await refusal(
          operatorA.submit('Allowances:Approve', { transient: { ...ref, amount: '1', expiresAt: nowSeconds() + 60 } }),
        ),
      ).to.match(/FORBIDDEN: only the holder/);
      expect(await spend('600')).to.deep.equal({});
      expect(await balance('alw-holder', MYR)).to.equal('9400');
      expect(await balance('alw-dest', MYR)).to.equal('600');
      expect(await refusal(spend('500'))).to.match(/COMPLIANCE: ALLOWANCE_EXCEEDED/);
      // A party without an allowance has no authority over the account: the chaincode refuses the holder's
      // own operator, and a competitor's credential is refused by the peer before that (member-only reads).
      expect(await refusal(spend('1', operatorA))).to.match(/FORBIDDEN: OperatorAMSP has no allowance/);
      expect(await refusal(spend('1', operatorB))).to.match(/does not have read access permission on privatedata/);
      expect(await balance('alw-holder', MYR)).to.equal('9400');
      const left = await trustee.evaluate<{ remaining: string }>('Allowances:Get', { args: [JSON.stringify(ref)] });
      expect(left.remaining).to.equal('400');
    });

    it('refuses a move under a revoked allowance, and under an expired one, writing nothing', async () => {
      await holder.submit('Allowances:Revoke', { transient: ref });
      expect(await refusal(spend('100'))).to.match(/COMPLIANCE: ALLOWANCE_REVOKED/);
      const expiresAt = nowSeconds() + 6;
      await holder.submit('Allowances:Approve', { transient: { ...ref, amount: '1000', expiresAt } });
      // Transaction timestamps decide expiry: wait until this machine's clock, which sets them, is past it.
      await until(
        async () => nowSeconds(),
        (n) => n > expiresAt + 1,
        'the allowance to lapse',
      );
      expect(await refusal(spend('100'))).to.match(/COMPLIANCE: ALLOWANCE_EXPIRED/);
      expect(await balance('alw-holder', MYR)).to.equal('9400');
      expect(await balance('alw-dest', MYR)).to.equal('600');
    });
  });

  describe('investor limits across platforms', () => {
    const campaignId = 'lim-c1';
    /** The transactions of the pledges below: the person at A, then at B (within and over), another person at B. */
    const pledged = { a: '', b: '', over: '', other: '' };
    /** As the gateway sends it: endorsed by the regulator's and the trustee's peers (public writes). */
    const pledge = (op: Client, accountId: string, amount: string) =>
      op.submit<string>('Campaigns:Pledge', {
        transient: { campaignId, accountId, amount },
        on: ['RegulatorMSP', 'TrusteeMSP'],
      });
    const usage = (who: Client, accountId: string, on?: string[]) =>
      who.evaluate<{ total: string; issuer?: string; pending: string }>('Limits:GetUsage', {
        args: [JSON.stringify({ accountId, tokenId: NZD, issuerAccountId: 'lim-issuer' })],
        ...(on ? { on } : {}),
      });
    /** Waits for the trustee's keeper (its service process) to decide the investment, as its operator sees it. */
    const decided = (op: Client, accountId: string, investmentId: string) =>
      until(
        () => op.evaluate<LimitCheck>('Limits:GetCheck', { transient: { accountId, investmentId } }),
        (c) => c.status !== 'PENDING',
        `the investor-limit check of ${investmentId}`,
        120_000,
      );

    before(async () => {
      const { net } = await sharedMarket();
      try {
        await trustee.submit('Money:CreateToken', { args: [JSON.stringify({ currency: 'NZD', decimals: 2 })] });
      } catch (err) {
        if (!/CONFLICT/.test((err as Error).message)) throw err;
      }
      await onboard(operatorA, 'lim-issuer', 'issuer', 'LIM-ISSUER');
      // One person with an account at each operator (the national id written differently), and another person.
      await onboard(operatorA, 'lim-p-a', 'investor', 'LIM-777');
      await onboard(operatorB, 'lim-p-b', 'investor', ' lim-777 ');
      await onboard(operatorB, 'lim-other', 'investor', 'LIM-888');
      for (const a of ['lim-p-a', 'lim-p-b', 'lim-other']) await deposit(a, NZD, '50000');
      await trustee.submit('Equity:CreateShareClass', {
        args: [
          JSON.stringify({
            classId: CLASS,
            issuerAccountId: 'lim-issuer',
            kind: 'ordinary',
            decimals: 0,
            allowedInvestorClasses: ['retail'],
          }),
        ],
      });
      await attachOfferingDocument(trustee, CLASS);
      const terms = campaignTerms({ campaignId, classId: CLASS, tokenId: NZD }, 3600, { maxUnits: '1000' });
      await operatorA.submit('Campaigns:Propose', { args: [JSON.stringify(terms)] });
      await operatorA.submit('Campaigns:Approve', { args: [JSON.stringify({ campaignId })] });
      await trustee.submit('Campaigns:Fund', { args: [JSON.stringify({ campaignId })] });
      await regulator.submit('Limits:SetPolicy', {
        args: [
          JSON.stringify({
            tokenId: NZD,
            totalPerYear: '9000',
            perIssuerPerYear: '9000',
            reason: 'retail cap across platforms',
          }),
        ],
      });
      // The trustee's service process: the cap table and the investor-limit keeper (decision 49).
      await gatewayCli(net, 'up', '--org', 'Trustee');
    });

    after(async () => {
      const { net } = await sharedMarket();
      await gatewayCli(net, 'down', '--org', 'Trustee').catch(() => undefined);
    });

    it("counts one person at both operators against one cap: the trustee's keeper confirms within it and refunds the pledge that passes it", async () => {
      pledged.a = await pledge(operatorA, 'lim-p-a', '5000');
      expect(await decided(operatorA, 'lim-p-a', pledged.a)).to.include({ status: 'CONFIRMED' });
      pledged.b = await pledge(operatorB, 'lim-p-b', '4000');
      expect(await decided(operatorB, 'lim-p-b', pledged.b)).to.include({ status: 'CONFIRMED' });
      pledged.over = await pledge(operatorB, 'lim-p-b', '100');
      const refused = await decided(operatorB, 'lim-p-b', pledged.over);
      expect(refused).to.include({ status: 'REFUSED', code: 'INVESTOR_LIMIT_EXCEEDED' });
      expect(refused.message, 'the refusal names the cap, not the usage').not.to.match(/5000|9000 used/);
      expect(await balance('lim-p-b', NZD)).to.equal('46000');
      // Another person is unaffected by the first one's usage.
      pledged.other = await pledge(operatorB, 'lim-other', '5000');
      expect(await decided(operatorB, 'lim-other', pledged.other)).to.include({ status: 'CONFIRMED' });
      expect(await usage(trustee, 'lim-p-b')).to.include({ total: '9000', issuer: '9000', pending: '0' });
      expect(await usage(regulator, 'lim-p-a')).to.include({ total: '9000' });
      expect(await usage(trustee, 'lim-other')).to.include({ total: '5000' });
      // An amount over the cap on its own needs nothing from elsewhere: refused in the pledge itself.
      expect(await refusal(pledge(operatorA, 'lim-p-a', '9100'))).to.match(/COMPLIANCE: INVESTOR_LIMIT_EXCEEDED/);
    });

    it('keeps the figures from the operators: no operator reads them, and no operator peer answers them', async () => {
      expect(await refusal(usage(operatorB, 'lim-p-b'))).to.match(/FORBIDDEN/);
      expect(await refusal(usage(operatorA, 'lim-p-a'))).to.match(/FORBIDDEN/);
      // The trustee's own query, run on each operator's peer: it holds one collection, not the person's usage.
      for (const peer of ['OperatorAMSP', 'OperatorBMSP'])
        expect(await refusal(usage(trustee, 'lim-p-a', [peer]))).to.match(/FORBIDDEN: the investor limits are read/);
      // Nor may an operator read its competitor's customer's check.
      expect(
        await refusal(
          operatorA.evaluate('Limits:GetCheck', { transient: { accountId: 'lim-p-b', investmentId: pledged.b } }),
        ),
      ).to.match(/FORBIDDEN/);
    });

    it("gives OperatorA's peer administrator nothing that ties its customer's pledge to the same person's pledges at B (decision 49)", async () => {
      const { net } = await sharedMarket();
      const seen = (await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin')).filter((t) => t.valid);
      const tx = (id: string): SeenTx => {
        const t = seen.find((x) => x.txId === id);
        if (!t) throw new Error(`transaction ${id} is not in OperatorA's blocks`);
        return t;
      };
      const decides = seen.filter((t) => t.fn === 'Limits:Decide');
      const collections = (t: SeenTx) => [...new Set(t.hashed.map((h) => h.collection))];
      // The trustee decides one operator's claims per transaction: no decision puts A's and B's side by side.
      expect(decides.length).to.be.at.least(4);
      for (const d of decides) {
        expect(collections(d)).to.have.length(1);
        expect(d.creatorMspId).to.equal('TrusteeMSP');
        expect(
          d.args.filter((a) => a !== 'Limits:Decide'),
          'decisions travel in transient data',
        ).to.deep.equal([]);
      }
      const mine = (t: SeenTx) => collections(t).includes('pdcOperatorA');
      const sideA = [tx(pledged.a), ...decides.filter(mine)];
      const sideB = [tx(pledged.b), tx(pledged.over), tx(pledged.other), ...decides.filter((d) => !mine(d))];
      /** Every private key hash a transaction read or wrote, whatever the collection: what A can compare. */
      const touched = (ts: SeenTx[]): Set<string> =>
        new Set(ts.flatMap((t) => t.hashed.flatMap((h) => [...h.readKeyHashes, ...h.writes.map((w) => w.keyHash)])));
      // Each collection's seal record is read by every transaction that touches it: its key is public knowledge.
      const seal = sha256(compositeKey('seal', []));
      const shared = [...touched(sideA)].filter((k) => touched(sideB).has(k) && k !== seal);
      expect(
        shared,
        "no private key of A's customer's investment is touched by the person's investments at B",
      ).to.deep.equal([]);
      // The retired counters' collection is touched by nothing but its seal, written once when the network came up.
      const retired = seen.filter((t) => t.hashed.some((h) => h.collection === INVESTOR_LIMITS_COLLECTION));
      expect(retired.map((t) => t.fn)).to.deep.equal(['Privacy:Seal']);
      // The public parts of the B side name no figure and no person, and nothing of A's customer.
      const named = (t: SeenTx): string =>
        [
          ...t.args,
          ...t.publicReads,
          ...t.publicWrites.map((w) => `${w.key} ${w.value}`),
          t.response.payload,
          t.response.message,
          t.event?.payload ?? '',
        ].join('\n');
      const owner = beneficialOwnerHash({ nationalId: 'LIM-777', dateOfBirth: '1985-05-05' });
      for (const t of sideB) {
        const text = named(t);
        expect(text).not.to.include('lim-p-a');
        for (const f of ['4000', '9000', '40'])
          expect(text, `figure ${f} in ${t.fn}`).not.to.match(new RegExp(`\\b${f}\\b`));
        for (const needle of [owner, 'LIM-777', 'lim-777', '1985-05-05'])
          expect(text.toLowerCase(), `personal data in ${t.fn}`).not.to.include(needle.toLowerCase());
      }
      // The B claim's salted value gives no amount to enumeration.
      const valueHashes = new Set(sideB.flatMap((t) => t.hashed.flatMap((h) => h.writes.map((w) => w.valueHash))));
      expect(enumerateAmounts('{"amount":"%N%","v":1}', 20_000, valueHashes)).to.deep.equal([]);
      // And its own peer received no private data but its own collection's, nothing of the B side.
      const privateData = await privateWritesSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
      const own = ['pdcOperatorA', '_implicit_org_OperatorAMSP'];
      expect(privateData.filter((w) => !own.includes(w.collection))).to.deep.equal([]);
      const bTxs = new Set(sideB.map((t) => t.txId));
      expect(privateData.filter((w) => bTxs.has(w.txId))).to.deep.equal([]);
    });
  });
});
