import { config, expect } from 'chai';
import { beneficialOwnerHash, INVESTOR_LIMITS_COLLECTION, KeyType } from '@ecf/common';
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
    /** The transactions of the pledges below: the person at A, then at B, and another person at B. */
    const pledged = { a: '', b: '', other: '' };
    /** As the gateway sends it: endorsed by the peers that hold the investor limits. */
    const pledge = (op: Client, accountId: string, amount: string) =>
      op.submit<string>('Campaigns:Pledge', {
        transient: { campaignId, accountId, amount },
        on: ['RegulatorMSP', 'TrusteeMSP'],
      });
    const usage = (who: Client, accountId: string, on?: string[]) =>
      who.evaluate<{ total: string; issuer?: string }>('Limits:GetUsage', {
        args: [JSON.stringify({ accountId, tokenId: NZD, issuerAccountId: 'lim-issuer' })],
        ...(on ? { on } : {}),
      });

    before(async () => {
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
    });

    it('counts one person at both operators against one cap, and refuses the pledge that passes it', async () => {
      pledged.a = await pledge(operatorA, 'lim-p-a', '5000');
      pledged.b = await pledge(operatorB, 'lim-p-b', '4000');
      const refused = await refusal(pledge(operatorB, 'lim-p-b', '100'));
      expect(refused).to.match(/COMPLIANCE: INVESTOR_LIMIT_EXCEEDED/);
      expect(refused, 'the refusal names the cap, not the usage').not.to.match(/5000|9000 used/);
      expect(await balance('lim-p-b', NZD)).to.equal('46000');
      // Another person is unaffected by the first one's usage.
      pledged.other = await pledge(operatorB, 'lim-other', '5000');
      expect(await usage(trustee, 'lim-p-b')).to.include({ total: '9000', issuer: '9000' });
      expect(await usage(regulator, 'lim-p-a')).to.include({ total: '9000' });
      expect(await usage(trustee, 'lim-other')).to.include({ total: '5000' });
    });

    it("refuses a capped pledge simulated on an operator's peer, which cannot hold the counters", async () => {
      const refused = await refusal(
        operatorA.submit('Campaigns:Pledge', { transient: { campaignId, accountId: 'lim-p-a', amount: '100' } }),
      );
      expect(refused).to.match(/UNAVAILABLE: TrusteeMSP.NZD has investor limits/);
    });

    it('keeps the figures from the operators: no operator reads them, and no operator peer holds them', async () => {
      expect(await refusal(usage(operatorB, 'lim-p-b'))).to.match(/FORBIDDEN/);
      expect(await refusal(usage(operatorA, 'lim-p-a'))).to.match(/FORBIDDEN/);
      // The trustee's own query, run on each operator's peer: the collection is not there to read.
      for (const peer of ['OperatorAMSP', 'OperatorBMSP'])
        expect(await refusal(usage(trustee, 'lim-p-a', [peer]))).to.match(/FORBIDDEN: the investor limits are read/);
    });

    it("shows OperatorA's peer administrator, of its customer's pledge at B, exactly decision 49's residual: the counters' key hashes and the B account's id", async () => {
      const { net } = await sharedMarket();
      const seen = (await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin')).filter((t) => t.valid);
      const tx = (id: string): SeenTx => {
        const t = seen.find((x) => x.txId === id);
        if (!t) throw new Error(`transaction ${id} is not in OperatorA's blocks`);
        return t;
      };
      const [atA, atB, other] = [tx(pledged.a), tx(pledged.b), tx(pledged.other)];
      /** Every private key hash a transaction touched, with its collection: what a non-member can compare. */
      const touched = (t: SeenTx): Set<string> =>
        new Set(
          t.hashed.flatMap((h) =>
            [...h.readKeyHashes, ...h.writes.map((w) => w.keyHash)].map((k) => `${h.collection}/${k}`),
          ),
        );
      const limitWrites = (t: SeenTx): string[] =>
        t.hashed
          .filter((h) => h.collection === INVESTOR_LIMITS_COLLECTION)
          .flatMap((h) => h.writes.map((w) => `${h.collection}/${w.keyHash}`))
          .sort();
      // The collection's seal record is read by every transaction that touches the collection, whoever's: its
      // key is public knowledge (sha256 of the composite key 'seal') and links no one.
      const everyone = `${INVESTOR_LIMITS_COLLECTION}/${sha256(compositeKey('seal', []))}`;
      const shared = (x: SeenTx, y: SeenTx): string[] =>
        [...touched(x)].filter((k) => touched(y).has(k) && k !== everyone).sort();

      // The link the docs state, in both directions: the person's two counters (year, year and issuer), the
      // same key hashes at both operators, and nothing else private in common.
      expect(limitWrites(atA)).to.have.length(2);
      expect(shared(atA, atB), 'A and B pledges of one person share exactly its two counters').to.deep.equal(
        limitWrites(atA),
      );
      expect(limitWrites(atB)).to.deep.equal(limitWrites(atA));
      expect(shared(atA, other), 'another person shares nothing with A’s customer').to.deep.equal([]);
      // The only public thing that ties the B pledge to an account: the B account's opaque id (its record read).
      const named = (t: SeenTx): string =>
        [
          ...t.args,
          ...t.publicReads,
          ...t.publicWrites.map((w) => `${w.key} ${w.value}`),
          t.response.payload,
          t.response.message,
          t.event?.payload ?? '',
        ].join('\n');
      expect(atB.publicReads).to.include(compositeKey(KeyType.ACCOUNT, ['lim-p-b']));
      expect(named(atB)).not.to.include('lim-p-a');
      expect(atB.creatorMspId).to.equal('OperatorBMSP');

      // No amount, usage, headroom or person: not in the B pledge's public part, nor behind its hashes.
      const figures = ['4000', '9000', '40'];
      for (const f of figures) expect(named(atB), `figure ${f} in the B pledge`).not.to.match(new RegExp(`\\b${f}\\b`));
      const owner = beneficialOwnerHash({ nationalId: 'LIM-777', dateOfBirth: '1985-05-05' });
      for (const needle of [owner, 'LIM-777', 'lim-777', '1985-05-05'])
        expect(named(atB).toLowerCase(), 'personal data in the B pledge').not.to.include(needle.toLowerCase());
      // The counters' keys are blinded: the person's hash, which A could compute for its own customer, does not
      // give their key hashes, so A cannot look up a person it does not already see pledging.
      const year = String(new Date().getUTCFullYear());
      const unsealed = [
        compositeKey(KeyType.LIMIT_USAGE, [owner, NZD, year]),
        compositeKey(KeyType.LIMIT_USAGE, [owner, NZD, year, 'lim-issuer']),
      ].map((k) => `${INVESTOR_LIMITS_COLLECTION}/${sha256(k)}`);
      for (const k of unsealed) expect(touched(atB)).not.to.include(k);
      // The counters' values are salted: no usage figure is found by enumerating the record.
      const valueHashes = new Set(atB.hashed.flatMap((h) => h.writes.map((w) => w.valueHash)));
      expect(enumerateAmounts('{"amount":"%N%","v":1}', 20_000, valueHashes)).to.deep.equal([]);
      // And its own peer received no private data of the collection, nor any of the B pledge.
      const privateData = await privateWritesSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
      // Besides its own collection, only its own chaincode approvals (Fabric's lifecycle, the org's implicit one).
      const own = ['pdcOperatorA', '_implicit_org_OperatorAMSP'];
      expect(privateData.filter((w) => !own.includes(w.collection))).to.deep.equal([]);
      expect(privateData.filter((w) => w.txId === pledged.b || w.txId === pledged.other)).to.deep.equal([]);
      expect(
        privateData.filter((w) => /lim-p-b|lim-other/.test(`${w.key} ${Buffer.from(w.value).toString('utf8')}`)),
      ).to.deep.equal([]);
    });
  });
});
