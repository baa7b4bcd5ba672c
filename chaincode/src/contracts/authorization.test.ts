import { expect } from 'chai';
import type { FakeIdentity } from '../testing/fake-stub';
import 'reflect-metadata';
import { contracts } from '../index';
import {
  ACME,
  ids,
  Market,
  MYR,
  offeringDocument,
  personal,
  testSecret,
  YEAR,
  type ContractName,
} from '../testing/market-fixture';

/**
 * The authorization matrix: every transaction × every kind of caller, each cell on a fresh ledger.
 * Allowed cells must succeed; denied cells must fail with FORBIDDEN and write nothing.
 */
type CallerName =
  | 'regulator'
  | 'trustee'
  | 'operatorA'
  | 'operatorB'
  | 'issuerA'
  | 'investorA'
  | 'investorB'
  | 'foreignMsp'
  | 'noAttributes'
  | 'suspendedOperator'
  | 'revokedOperator';

const CALLERS: Record<CallerName, FakeIdentity> = {
  regulator: ids.regulator,
  trustee: ids.trustee,
  operatorA: ids.operatorA,
  operatorB: ids.operatorB,
  issuerA: ids.acme,
  investorA: ids.alice,
  investorB: ids.carol,
  foreignMsp: ids.foreign,
  noAttributes: ids.noRole,
  suspendedOperator: ids.operatorA,
  revokedOperator: ids.operatorB,
};

interface Prepared {
  instructionId: string;
  /** A large withdrawal of acc-alice, held, whose review window has passed. */
  withdrawalId: string;
  pledgeId: string;
  orderId: string;
}

interface Row {
  tx: `${ContractName}:${string}`;
  args?: (p: Prepared) => string[];
  transient?: (m: Market) => unknown;
  /** State the row needs beyond `prepared` (a wind-down in a given phase). */
  before?: (m: Market) => Promise<void>;
  allowed: CallerName[];
}

const j = (o: unknown) => [JSON.stringify(o)];
/** An onboarding payload, alone or in a batch. */
const newInvestor = (m: Market) => ({
  accountId: 'acc-new',
  type: 'investor',
  kyc: { validUntil: m.world.now + YEAR, investorClass: 'retail', jurisdiction: 'MY' },
  personal: personal('n'),
  salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
});
const reason = 'supervisory decision';
/** A retail buy in a capped token, pending its trustee's check (decision 49), for the Limits rows. */
let cappedBuyId = '';
async function placeCappedBuy(m: Market): Promise<void> {
  await m.ok(ids.regulator, 'Limits', 'SetPolicy', [
    JSON.stringify({ tokenId: MYR, totalPerYear: '5000', perIssuerPerYear: '1000', reason }),
  ]);
  const buy = { accountId: 'acc-alice', classId: ACME, tokenId: MYR, side: 'BUY', price: '10', quantity: '1' };
  const placed = await m.call<string>(ids.alice, 'Market', 'PlaceOrder', [], buy);
  if (placed.ok) {
    cappedBuyId = placed.value as string;
    return;
  }
  // The suspended operator's cell: the buy predates the suspension, as it would on a live market.
  const status = (s: string) =>
    m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', j({ mspId: 'OperatorAMSP', status: s, reason }));
  await status('ACTIVE');
  cappedBuyId = await m.ok<string>(ids.alice, 'Market', 'PlaceOrder', [], buy);
  await status('SUSPENDED');
}
/** Callers whose identity resolves (anyone admitted and not revoked) may read public reference data. */
const MEMBERS: CallerName[] = [
  'regulator',
  'trustee',
  'operatorA',
  'operatorB',
  'issuerA',
  'investorA',
  'investorB',
  'suspendedOperator',
];
/** Who may read investor A's account: itself, its operator (even suspended), that operator's trustee, the regulator. */
const READERS_OF_A: CallerName[] = ['regulator', 'trustee', 'operatorA', 'investorA', 'suspendedOperator'];

/** Votes (decision 55) and price feeds (decision 56): the state each row needs is made in its `before`. */
const RES = { resolutionId: 'res-m' };
const AT_PREPARED = 1_767_225_600 + 200;
async function proposeAsIssuer(m: Market): Promise<void> {
  const now = m.world.now;
  await m.ok(
    ids.acme,
    'Votes',
    'Propose',
    j({
      ...RES,
      classId: ACME,
      title: 'Matrix resolution',
      recordTime: now + 10,
      opensAt: now + 10,
      closesAt: now + 100,
      quorumBps: 1,
      majorityBps: 5000,
    }),
  );
  m.world.now += 10;
}
async function pastClose(m: Market): Promise<void> {
  await proposeAsIssuer(m);
  m.world.now += 100;
}
/** The evidence `Votes:Count` needs, read by the trustee in the row's `before`. */
let countEvidence: unknown[] = [];
const PX = { providerId: 'px-t', mspId: 'TrusteeMSP', enrollmentId: 'trustee', reason };
const VOTE_AND_FEED_ROWS: Row[] = [
  {
    tx: 'Votes:Propose',
    args: () =>
      j({
        ...RES,
        classId: ACME,
        title: 'Matrix resolution',
        recordTime: AT_PREPARED + 10,
        opensAt: AT_PREPARED + 10,
        closesAt: AT_PREPARED + 100,
        quorumBps: 1,
        majorityBps: 5000,
      }),
    allowed: ['operatorA', 'issuerA'],
  },
  {
    tx: 'Votes:Cast',
    before: proposeAsIssuer,
    transient: () => ({ ...RES, accountId: 'acc-alice', choice: 'FOR', nonce: 'bWF0cml4LW5vbmNlLWJ5dGVzLi4=' }),
    allowed: ['operatorA', 'investorA'],
  },
  {
    tx: 'Votes:Delegate',
    before: proposeAsIssuer,
    transient: () => ({ ...RES, accountId: 'acc-alice', proxyAccountId: 'acc-bob' }),
    allowed: ['operatorA', 'investorA'],
  },
  {
    tx: 'Votes:RevokeDelegation',
    before: async (m) => {
      await proposeAsIssuer(m);
      await m.ok(ids.alice, 'Votes', 'Delegate', [], { ...RES, accountId: 'acc-alice', proxyAccountId: 'acc-bob' });
    },
    transient: () => ({ ...RES, accountId: 'acc-alice' }),
    allowed: ['operatorA', 'investorA'],
  },
  {
    tx: 'Votes:CountEvidence',
    before: pastClose,
    args: () => j({ ...RES, operatorMspId: 'OperatorAMSP' }),
    allowed: ['trustee'],
  },
  {
    tx: 'Votes:Count',
    before: async (m) => {
      await pastClose(m);
      const q = j({ ...RES, operatorMspId: 'OperatorAMSP' });
      countEvidence = (await m.ok<{ evidence: unknown[] }>(ids.trustee, 'Votes', 'CountEvidence', q)).evidence;
    },
    transient: () => ({ ...RES, operatorMspId: 'OperatorAMSP', evidence: countEvidence }),
    allowed: ['trustee'],
  },
  {
    tx: 'Votes:Publish',
    before: async (m) => {
      await pastClose(m);
      const operators = await m.ok<Array<{ mspId: string; kind: string; status: string }>>(
        ids.regulator,
        'Registry',
        'ListParticipants',
      );
      for (const o of operators.filter((p) => p.kind === 'operator' && p.status !== 'REVOKED')) {
        const q = j({ ...RES, operatorMspId: o.mspId });
        const { evidence } = await m.ok<{ evidence: unknown[] }>(ids.trustee, 'Votes', 'CountEvidence', q);
        await m.ok(ids.trustee, 'Votes', 'Count', [], { ...RES, operatorMspId: o.mspId, evidence });
      }
    },
    args: () => j(RES),
    allowed: ['trustee'],
  },
  { tx: 'Votes:GetResolution', before: proposeAsIssuer, args: () => j(RES), allowed: MEMBERS },
  {
    tx: 'Votes:GetBallot',
    before: proposeAsIssuer,
    args: () => j({ ...RES, accountId: 'acc-alice' }),
    allowed: READERS_OF_A,
  },
  { tx: 'PriceFeeds:RegisterProvider', args: () => j(PX), allowed: ['regulator'] },
  {
    tx: 'PriceFeeds:Configure',
    args: () => j({ classId: ACME, staleSeconds: 60, minFeeds: 1, outlierBps: 2000, reason }),
    allowed: ['regulator'],
  },
  {
    tx: 'PriceFeeds:PostPrice',
    before: async (m) => {
      await m.ok(ids.regulator, 'PriceFeeds', 'RegisterProvider', j(PX));
    },
    args: () => j({ providerId: 'px-t', classId: ACME, price: '100' }),
    allowed: ['trustee'],
  },
  {
    tx: 'PriceFeeds:GetReference',
    before: async (m) => {
      await m.ok(
        ids.regulator,
        'PriceFeeds',
        'Configure',
        j({ classId: ACME, staleSeconds: 60, minFeeds: 1, outlierBps: 2000, reason }),
      );
    },
    args: () => [ACME],
    allowed: MEMBERS,
  },
];

const ROWS: Row[] = [
  {
    tx: 'Registry:AdmitParticipant',
    args: () => j({ mspId: 'OperatorCMSP', kind: 'operator', trusteeMspId: 'TrusteeMSP', reason }),
    allowed: ['regulator'],
  },
  {
    tx: 'Registry:SetParticipantStatus',
    args: () => j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
    allowed: ['regulator', 'trustee'],
  },
  { tx: 'Registry:GetParticipant', args: () => ['TrusteeMSP'], allowed: MEMBERS },
  { tx: 'Registry:ListParticipants', allowed: MEMBERS },
  { tx: 'Registry:GetAsset', args: () => [MYR], allowed: MEMBERS },
  { tx: 'Registry:ListAssets', allowed: MEMBERS },
  {
    tx: 'Accounts:Onboard',
    transient: newInvestor,
    allowed: ['operatorA', 'operatorB'],
  },
  {
    tx: 'Accounts:OnboardBatch',
    transient: (m) => ({ accounts: [newInvestor(m)] }),
    allowed: ['operatorA', 'operatorB'],
  },
  {
    tx: 'Accounts:UpdateKyc',
    transient: (m) => ({
      accountId: 'acc-alice',
      kyc: { validUntil: m.world.now + YEAR, investorClass: 'angel', jurisdiction: 'MY' },
    }),
    allowed: ['operatorA'],
  },
  {
    tx: 'Accounts:SetStatus',
    args: () => j({ accountId: 'acc-alice', status: 'SUSPENDED', reason }),
    allowed: ['operatorA'],
  },
  { tx: 'Accounts:PurgePersonalData', args: () => ['acc-zed'], allowed: ['operatorA'] },
  { tx: 'Accounts:GetAccount', args: () => ['acc-alice'], allowed: READERS_OF_A },
  { tx: 'Accounts:GetPersonalData', args: () => ['acc-alice'], allowed: READERS_OF_A },
  { tx: 'Accounts:VerifyPersonalData', args: () => ['acc-alice'], allowed: READERS_OF_A },
  { tx: 'Accounts:GetHistory', args: () => ['acc-alice'], allowed: READERS_OF_A },
  { tx: 'Money:CreateToken', args: () => j({ currency: 'USD', decimals: 2 }), allowed: ['trustee'] },
  {
    tx: 'Money:Deposit',
    transient: () => ({ accountId: 'acc-alice', tokenId: MYR, amount: '5', bankReference: 'IN-9' }),
    allowed: ['trustee'],
  },
  {
    tx: 'Money:DepositBatch',
    transient: () => ({ tokenId: MYR, deposits: [{ accountId: 'acc-alice', amount: '5', bankReference: 'IN-9' }] }),
    allowed: ['trustee'],
  },
  {
    tx: 'Money:Withdraw',
    transient: () => ({ accountId: 'acc-alice', tokenId: MYR, amount: '5', bankReference: 'OUT-9' }),
    allowed: ['trustee'],
  },
  { tx: 'Money:ExecuteWithdrawal', transient: () => undefined, allowed: ['trustee'] },
  { tx: 'Money:CancelWithdrawal', transient: () => undefined, allowed: ['regulator', 'trustee'] },
  {
    tx: 'Money:GetWithdrawal',
    args: (p) => j({ accountId: 'acc-alice', withdrawalId: p.withdrawalId }),
    allowed: READERS_OF_A,
  },
  { tx: 'Money:ListWithdrawals', args: () => j({ accountId: 'acc-alice' }), allowed: READERS_OF_A },
  {
    tx: 'Money:SetWithdrawalPolicy',
    args: () => j({ tokenId: MYR, threshold: '500', reviewSeconds: 60, reason }),
    allowed: ['regulator'],
  },
  { tx: 'Money:GetWithdrawalPolicy', args: () => j({ tokenId: MYR }), allowed: MEMBERS },
  {
    tx: 'Allowances:Approve',
    transient: (m) => allowanceTo('TrusteeMSP', m),
    allowed: ['investorA'],
  },
  {
    tx: 'Allowances:Revoke',
    before: approveAllowance,
    transient: () => ({ accountId: 'acc-alice', spenderMspId: 'TrusteeMSP', assetId: MYR }),
    allowed: ['investorA'],
  },
  {
    tx: 'Allowances:Spend',
    before: approveAllowance,
    transient: () => ({ from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: '5' }),
    allowed: ['trustee'],
  },
  {
    tx: 'Allowances:Get',
    before: approveAllowance,
    args: () => j({ accountId: 'acc-alice', spenderMspId: 'TrusteeMSP', assetId: MYR }),
    allowed: READERS_OF_A,
  },
  { tx: 'Allowances:List', args: () => j({ accountId: 'acc-alice' }), allowed: READERS_OF_A },
  {
    tx: 'Limits:SetPolicy',
    args: () => j({ tokenId: MYR, totalPerYear: '5000', perIssuerPerYear: '1000', reason }),
    allowed: ['regulator'],
  },
  {
    tx: 'Limits:GetPolicy',
    before: (m) =>
      m
        .ok(
          ids.regulator,
          'Limits',
          'SetPolicy',
          j({ tokenId: MYR, totalPerYear: '5000', perIssuerPerYear: '1000', reason }),
        )
        .then(() => undefined),
    args: () => j({ tokenId: MYR }),
    allowed: MEMBERS,
  },
  {
    tx: 'Limits:GetUsage',
    args: () => j({ accountId: 'acc-alice', tokenId: MYR }),
    allowed: ['regulator', 'trustee'],
  },
  { tx: 'Limits:Review', args: () => j({}), allowed: ['trustee'] },
  {
    tx: 'Limits:Decide',
    before: placeCappedBuy,
    transient: () => ({
      decisions: [{ investmentId: cappedBuyId, operatorMspId: 'OperatorAMSP', decision: 'CONFIRM' }],
    }),
    allowed: ['trustee'],
  },
  {
    tx: 'Limits:GetCheck',
    before: placeCappedBuy,
    transient: () => ({ accountId: 'acc-alice', investmentId: cappedBuyId }),
    allowed: READERS_OF_A,
  },
  {
    tx: 'Equity:CreateShareClass',
    args: () =>
      j({
        classId: 'ACME-B',
        issuerAccountId: 'acc-acme',
        kind: 'restricted',
        decimals: 0,
        allowedInvestorClasses: ['angel'],
      }),
    allowed: ['trustee'],
  },
  {
    tx: 'Equity:Issue',
    transient: () => ({ classId: ACME, accountId: 'acc-bob', amount: '5', purpose: 'offering' }),
    allowed: ['trustee'],
  },
  {
    tx: 'Equity:Burn',
    transient: () => ({ classId: ACME, accountId: 'acc-acme', amount: '5', purpose: 'buyback' }),
    allowed: ['trustee'],
  },
  {
    tx: 'Equity:ImportRegister',
    transient: () => ({ registerId: 'legacy', classId: ACME, lines: [{ line: 1, accountId: 'acc-bob', units: '5' }] }),
    allowed: ['trustee'],
  },
  {
    tx: 'Transfers:Transfer',
    transient: () => ({ from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: '1' }),
    allowed: ['operatorA', 'investorA'],
  },
  {
    tx: 'Transfers:CanTransfer',
    transient: () => ({ from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: '1' }),
    allowed: READERS_OF_A,
  },
  {
    tx: 'Transfers:Instruct',
    transient: () => ({ from: 'acc-alice', to: 'acc-carol', assetId: MYR, amount: '1' }),
    allowed: ['operatorA', 'investorA'],
  },
  {
    tx: 'Transfers:Settle',
    args: (p) => j({ instructionId: p.instructionId, fromOperatorMspId: 'OperatorAMSP' }),
    allowed: ['trustee'],
  },
  { tx: 'Transfers:GetBalance', args: () => j({ accountId: 'acc-alice', assetId: MYR }), allowed: READERS_OF_A },
  { tx: 'Transfers:GetPortfolio', args: () => j({ accountId: 'acc-alice' }), allowed: READERS_OF_A },
  {
    tx: 'Supervision:FreezeAccount',
    args: () => j({ accountId: 'acc-alice', frozen: true, reason }),
    allowed: ['regulator'],
  },
  {
    tx: 'Supervision:SetPartialFreeze',
    transient: () => ({ accountId: 'acc-alice', assetId: MYR, amount: '5', reason }),
    allowed: ['regulator'],
  },
  { tx: 'Supervision:HaltInstrument', args: () => j({ assetId: ACME, halted: true, reason }), allowed: ['regulator'] },
  {
    tx: 'Supervision:ForcedTransfer',
    transient: () => ({ from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: '1', reason }),
    allowed: ['regulator'],
  },
  { tx: 'Supervision:CheckSupply', args: () => j({ assetId: MYR }), allowed: ['regulator', 'trustee'] },
  { tx: 'Supervision:GetInstrumentHistory', args: () => j({ assetId: MYR }), allowed: MEMBERS },
  { tx: 'Supervision:ListActions', allowed: MEMBERS },
  {
    tx: 'Privacy:Seal',
    transient: () => ({ collection: 'pdcOperatorC', secret: testSecret('pdcOperatorC') }),
    allowed: ['regulator'],
  },
  { tx: 'Privacy:IsSealed', args: () => j({ collection: 'pdcOperatorA' }), allowed: MEMBERS },
  { tx: 'Privacy:ListLegacy', args: () => j({ collection: 'pdcOperatorA', limit: 10 }), allowed: ['regulator'] },
  {
    tx: 'Privacy:Migrate',
    // A record as an earlier, unsealed chaincode left it.
    transient: (m) => {
      const key = '\u0000bal\u0000TrusteeMSP.MYR\u0000acc-acme\u0000';
      m.world.collection('pdcOperatorA').set(key, Buffer.from('{"accountId":"acc-acme","amount":"5","v":1}'));
      return { collection: 'pdcOperatorA', keys: [key] };
    },
    allowed: ['regulator'],
  },
  { tx: 'Campaigns:Propose', args: () => j(campaign('c-new', 0)), allowed: ['operatorA', 'issuerA'] },
  { tx: 'Campaigns:Approve', args: () => j({ campaignId: 'c-prop' }), allowed: ['operatorA'] },
  { tx: 'Campaigns:Reject', args: () => j({ campaignId: 'c-prop' }), allowed: ['operatorA'] },
  { tx: 'Campaigns:Fund', args: () => j({ campaignId: 'c-appr' }), allowed: ['trustee'] },
  {
    tx: 'Campaigns:Pledge',
    transient: () => ({ campaignId: 'c-open', accountId: 'acc-alice', amount: '100' }),
    allowed: ['operatorA', 'investorA'],
  },
  {
    tx: 'Campaigns:WithdrawPledge',
    transient: () => undefined,
    args: () => [],
    allowed: ['operatorA', 'investorA'],
  },
  { tx: 'Campaigns:Settle', args: () => j({ campaignId: 'c-closed' }), allowed: ['regulator', 'trustee'] },
  { tx: 'Campaigns:CloseEarly', args: () => j({ campaignId: 'c-open' }), allowed: ['operatorA'] },
  { tx: 'Campaigns:Get', args: () => j({ campaignId: 'c-open' }), allowed: MEMBERS },
  { tx: 'Campaigns:List', allowed: MEMBERS },
  {
    tx: 'Campaigns:ListPledges',
    transient: () => ({ campaignId: 'c-open', accountId: 'acc-alice' }),
    allowed: READERS_OF_A,
  },
  {
    tx: 'Market:PlaceOrder',
    transient: () => ({ accountId: 'acc-alice', classId: ACME, tokenId: MYR, side: 'BUY', price: '10', quantity: '1' }),
    allowed: ['operatorA', 'investorA'],
  },
  { tx: 'Market:CancelOrder', transient: () => undefined, allowed: ['operatorA', 'investorA'] },
  { tx: 'Market:Match', args: () => j({ classId: ACME }), allowed: ['trustee'] },
  { tx: 'Market:ReleaseOrders', args: () => j({ classId: 'ACME-H' }), allowed: ['regulator', 'trustee'] },
  {
    tx: 'Market:SetCircuitBreaker',
    args: () => j({ classId: ACME, referencePrice: '10', bandBps: 500, coolingSeconds: 60, reason }),
    allowed: ['regulator'],
  },
  { tx: 'Market:GetOrderBook', args: () => [ACME], allowed: MEMBERS },
  { tx: 'Market:ListTrades', args: () => [ACME], allowed: MEMBERS },
  { tx: 'Market:GetOrder', args: (p) => [ACME, p.orderId], allowed: MEMBERS },
  {
    tx: 'WindDown:NameSuccessor',
    before: (m) => windDownOfB(m, undefined),
    args: () => j({ exitingMspId: 'OperatorBMSP', successorMspId: 'OperatorAMSP', reason }),
    allowed: ['regulator'],
  },
  { tx: 'WindDown:Get', before: (m) => windDownOfB(m, 'RELEASING'), args: () => j(EXITING), allowed: MEMBERS },
  {
    tx: 'WindDown:Release',
    before: (m) => windDownOfB(m, 'RELEASING'),
    args: () => j({ ...EXITING, max: 5 }),
    allowed: ['trustee'],
  },
  {
    tx: 'WindDown:MoveAccounts',
    before: (m) => windDownOfB(m, 'MOVING'),
    args: () => j({ ...EXITING, max: 5 }),
    allowed: ['trustee'],
  },
  {
    tx: 'WindDown:ListLeftovers',
    before: (m) => windDownOfB(m, 'SWEEPING'),
    args: () => j({ ...EXITING, limit: 10 }),
    allowed: ['regulator', 'trustee'],
  },
  {
    tx: 'WindDown:Sweep',
    before: (m) => windDownOfB(m, 'SWEEPING'),
    // A movement key whose record is gone (swept before): the call succeeds and moves nothing.
    transient: () => ({ ...EXITING, keys: ['\u0000mv\u0000#1\u0000gone\u0000'] }),
    allowed: ['trustee'],
  },
  // Documents of a class (decision 50): the issuer's operator and the class's trustee attach; they and the
  // regulator attest; every member reads and verifies.
  {
    tx: 'Documents:Attach',
    args: () => j({ ...offeringDocument(ACME, 'acme-articles', NOW), type: 'articles' }),
    allowed: ['trustee', 'operatorA'],
  },
  { tx: 'Documents:Attest', args: () => j(OFFERING), allowed: ['regulator', 'trustee', 'operatorA'] },
  { tx: 'Documents:Get', args: () => j(OFFERING), allowed: MEMBERS },
  { tx: 'Documents:List', args: () => j({ classId: ACME }), allowed: MEMBERS },
  {
    tx: 'Documents:Verify',
    args: () => j({ ...OFFERING, contentBase64: Buffer.from('a file').toString('base64') }),
    allowed: MEMBERS,
  },
  // Distributions (decision 51): the issuer's operator declares and tops up; the class's trustee pays.
  {
    tx: 'Distributions:Declare',
    args: () => j({ ...DISTRIBUTION, distributionId: 'd-new', recordAt: NOW + 86400, payAt: NOW + 86400 }),
    allowed: ['operatorA'],
  },
  { tx: 'Distributions:TopUp', args: () => j({ distributionId: 'd-open', amount: '10' }), allowed: ['operatorA'] },
  { tx: 'Distributions:Pay', args: () => j({ distributionId: 'd-open', max: 10 }), allowed: ['trustee'] },
  { tx: 'Distributions:Get', args: () => j({ distributionId: 'd-open' }), allowed: MEMBERS },
  { tx: 'Distributions:List', allowed: MEMBERS },
  { tx: 'WindDown:Complete', before: (m) => windDownOfB(m, 'SWEEPING'), args: () => j(EXITING), allowed: ['trustee'] },
  ...CORPORATE_ACTION_ROWS(),
  ...VOTE_AND_FEED_ROWS,
];

const EXITING = { exitingMspId: 'OperatorBMSP' };

/**
 * Corporate actions (decisions 52–54). Splits and delistings use ACME-H, which no campaign holds in escrow;
 * the tender offer uses ACME, which trades.
 */
function CORPORATE_ACTION_ROWS(): Row[] {
  const ANNOUNCERS: CallerName[] = ['operatorA', 'issuerA'];
  const split = { actionId: 'ca-split', classId: 'ACME-H', numerator: 2, denominator: 1, reason };
  const tender = { actionId: 'ca-tender', classId: ACME, tokenId: MYR, price: '1', maxUnits: '5', reason };
  const closesAt = () => 1_767_225_600 + 10 * 86400;
  return [
    { tx: 'CorporateActions:AnnounceSplit', args: () => j(split), allowed: ANNOUNCERS },
    {
      tx: 'CorporateActions:AnnounceTender',
      before: (m) => withOperatorAActive(m, () => moneyToIssuer(m)),
      args: () => j({ ...tender, closesAt: closesAt() }),
      allowed: ANNOUNCERS,
    },
    {
      tx: 'CorporateActions:AnnounceDelisting',
      args: () => j({ actionId: 'ca-out', classId: 'ACME-H', reason }),
      allowed: ANNOUNCERS,
    },
    {
      tx: 'CorporateActions:Tender',
      before: (m) =>
        withOperatorAActive(m, async () => {
          await moneyToIssuer(m);
          await m.ok(ids.acme, 'CorporateActions', 'AnnounceTender', j({ ...tender, closesAt: closesAt() }));
          await m.issue('acc-alice', '3');
        }),
      transient: () => ({ actionId: 'ca-tender', accountId: 'acc-alice', units: '1' }),
      allowed: ['operatorA', 'investorA'],
    },
    {
      tx: 'CorporateActions:Advance',
      before: (m) => m.ok(ids.acme, 'CorporateActions', 'AnnounceSplit', j(split)).then(() => undefined),
      args: () => j({ actionId: 'ca-split', max: 5 }),
      allowed: ['trustee'],
    },
    {
      tx: 'CorporateActions:Get',
      before: (m) => m.ok(ids.acme, 'CorporateActions', 'AnnounceSplit', j(split)).then(() => undefined),
      args: () => j({ actionId: 'ca-split' }),
      allowed: MEMBERS,
    },
    { tx: 'CorporateActions:ListForClass', args: () => ['ACME-H'], allowed: MEMBERS },
    {
      tx: 'CorporateActions:SetBuybackPolicy',
      args: () => j({ classId: ACME, maxBps: 2500, windowDays: 20, reason }),
      allowed: ['regulator'],
    },
    {
      tx: 'CorporateActions:GetBuybackAllowance',
      before: (m) =>
        m
          .ok(
            ids.regulator,
            'CorporateActions',
            'SetBuybackPolicy',
            j({ classId: ACME, maxBps: 2500, windowDays: 20, reason }),
          )
          .then(() => undefined),
      args: () => j({ classId: ACME }),
      // The issuer's own usage: the issuer, its operator (suspended or not), the trustee, the regulator.
      allowed: ['regulator', 'trustee', 'operatorA', 'issuerA', 'suspendedOperator'],
    },
  ];
}

/** The regulator moves money to the issuer: the one way that works whatever the operators' status. */
async function moneyToIssuer(m: Market): Promise<void> {
  await m.ok(ids.regulator, 'Supervision', 'ForcedTransfer', [], {
    from: 'acc-alice',
    to: 'acc-acme',
    assetId: MYR,
    amount: '10',
    reason,
  });
}

/** Runs a setup step with OperatorA active (the suspended-operator cells suspend it), then restores it. */
async function withOperatorAActive(m: Market, step: () => Promise<void>): Promise<void> {
  const set = (status: string) =>
    m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', j({ mspId: 'OperatorAMSP', status, reason }));
  const a = await m.ok<{ status: string }>(ids.regulator, 'Registry', 'GetParticipant', ['OperatorAMSP']);
  if (a.status !== 'ACTIVE') await set('ACTIVE');
  await step();
  if (a.status !== 'ACTIVE') await set(a.status);
}

/** OperatorB suspended (unless revoked already) and, with a phase, wound down into OperatorA up to it. */
async function windDownOfB(m: Market, phase: 'RELEASING' | 'MOVING' | 'SWEEPING' | undefined): Promise<void> {
  const b = await m.ok<{ status: string }>(ids.regulator, 'Registry', 'GetParticipant', ['OperatorBMSP']);
  if (b.status === 'ACTIVE')
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
    );
  if (!phase) return;
  // The suspended-operator cells suspend OperatorA, the successor: it is named while active.
  const setA = (status: string) =>
    m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', j({ mspId: 'OperatorAMSP', status, reason }));
  const a = await m.ok<{ status: string }>(ids.regulator, 'Registry', 'GetParticipant', ['OperatorAMSP']);
  if (a.status !== 'ACTIVE') await setA('ACTIVE');
  await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }));
  for (let i = 0; i < 20; i++) {
    const w = await m.ok<{ phase: string }>(ids.regulator, 'WindDown', 'Get', j(EXITING));
    if (w.phase === phase) {
      if (a.status !== 'ACTIVE') await setA(a.status);
      return;
    }
    await m.ok(
      ids.trustee,
      'WindDown',
      w.phase === 'RELEASING' ? 'Release' : 'MoveAccounts',
      j({ ...EXITING, max: 5 }),
    );
  }
  throw new Error(`the wind-down did not reach ${phase}`);
}

function allowanceTo(spenderMspId: string, m: Market) {
  return { accountId: 'acc-alice', spenderMspId, assetId: MYR, amount: '50', expiresAt: m.world.now + YEAR };
}

/** acc-alice's holder lets the trustee move 50 of its MYR. */
async function approveAllowance(m: Market): Promise<void> {
  await m.ok(ids.alice, 'Allowances', 'Approve', [], allowanceTo('TrusteeMSP', m));
}

/** Transient inputs that need what `prepared` created. */
const TRANSIENT_FROM_PREPARED: Partial<Record<Row['tx'], (p: Prepared) => unknown>> = {
  'Campaigns:WithdrawPledge': (p) => ({ campaignId: 'c-open', accountId: 'acc-alice', pledgeId: p.pledgeId }),
  'Market:CancelOrder': (p) => ({ accountId: 'acc-alice', orderId: p.orderId, classId: ACME }),
  'Money:ExecuteWithdrawal': (p) => ({ accountId: 'acc-alice', withdrawalId: p.withdrawalId }),
  'Money:CancelWithdrawal': (p) => ({ accountId: 'acc-alice', withdrawalId: p.withdrawalId, reason }),
};

const NOW = 1_767_225_600;
const OFFERING = { classId: ACME, documentId: `${ACME}-offering` };
/** A distribution on ACME whose record and payment times have passed once `prepared` advanced the clock. */
const DISTRIBUTION = {
  distributionId: 'd-open',
  classId: ACME,
  tokenId: MYR,
  amountPerUnit: '1',
  declaredUnits: '100',
  recordAt: NOW + 100,
  payAt: NOW + 100,
};

function campaign(id: string, openIn: number, closeIn = 10 * 86400) {
  const now = 1_767_225_600;
  return {
    campaignId: id,
    classId: ACME,
    tokenId: MYR,
    pricePerUnit: '100',
    minUnits: '1',
    maxUnits: '100',
    openAt: now + openIn,
    closeAt: now + closeIn,
    minPledge: '100',
    maxPledge: '10000',
    allowedInvestorClasses: ['retail', 'sophisticated', 'angel'],
    coolingOffSeconds: 86400,
  };
}

async function prepared(caller: CallerName): Promise<{ m: Market; p: Prepared }> {
  const m = await new Market().setup();
  await m.deposit('acc-alice', '1000');
  await m.issue('acc-acme', '100');
  await m.deposit('acc-acme', '1000');
  await m.ok(ids.operatorA, 'Distributions', 'Declare', j(DISTRIBUTION));
  const instructionId = await m.ok<string>(ids.alice, 'Transfers', 'Instruct', [], {
    from: 'acc-alice',
    to: 'acc-carol',
    assetId: MYR,
    amount: '10',
  });
  await m.onboard(ids.operatorA, 'acc-zed', 'investor', 'retail');
  await m.ok(
    ids.operatorA,
    'Accounts',
    'SetStatus',
    j({ accountId: 'acc-zed', status: 'OFFBOARDED', reason: 'closed by customer' }),
  );
  await m.ok(ids.acme, 'Campaigns', 'Propose', j(campaign('c-prop', 0)));
  await m.ok(ids.acme, 'Campaigns', 'Propose', j(campaign('c-appr', 0)));
  await m.ok(ids.operatorA, 'Campaigns', 'Approve', j({ campaignId: 'c-appr' }));
  for (const [id, closeIn] of [
    ['c-open', 10 * 86400],
    ['c-closed', 100],
  ] as const) {
    await m.ok(ids.acme, 'Campaigns', 'Propose', j(campaign(id, 0, closeIn)));
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', j({ campaignId: id }));
    await m.ok(ids.trustee, 'Campaigns', 'Fund', j({ campaignId: id }));
  }
  const pledgeId = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], {
    campaignId: 'c-open',
    accountId: 'acc-alice',
    amount: '200',
  });
  await m.ok(ids.alice, 'Campaigns', 'Pledge', [], { campaignId: 'c-closed', accountId: 'acc-alice', amount: '200' });
  const orderId = await m.ok<string>(ids.alice, 'Market', 'PlaceOrder', [], {
    accountId: 'acc-alice',
    classId: ACME,
    tokenId: MYR,
    side: 'BUY',
    price: '10',
    quantity: '2',
  });
  await m.ok(ids.trustee, 'Equity', 'CreateShareClass', [
    JSON.stringify({
      classId: 'ACME-H',
      issuerAccountId: 'acc-acme',
      kind: 'ordinary',
      decimals: 0,
      allowedInvestorClasses: ['retail'],
    }),
  ]);
  await m.ok(
    ids.regulator,
    'Supervision',
    'HaltInstrument',
    j({ assetId: 'ACME-H', halted: true, reason: 'pending disclosure' }),
  );
  await m.ok(
    ids.regulator,
    'Money',
    'SetWithdrawalPolicy',
    j({ tokenId: MYR, threshold: '100', reviewSeconds: 100, reason: 'hold large payouts' }),
  );
  const { withdrawalId } = await m.ok<{ withdrawalId: string }>(ids.trustee, 'Money', 'Withdraw', [], {
    accountId: 'acc-alice',
    tokenId: MYR,
    amount: '150',
    bankReference: 'OUT-BIG',
  });
  m.world.now += 200; // c-closed is past its close time; c-open is still open; the withdrawal's window has passed
  if (caller === 'suspendedOperator') {
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorAMSP', status: 'SUSPENDED', reason }),
    );
  }
  if (caller === 'revokedOperator') {
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'REVOKED', reason }),
    );
  }
  return { m, p: { instructionId, withdrawalId, pledgeId, orderId } };
}

describe('authorization matrix: every transaction × every caller', () => {
  it('has a row for every transaction of every market contract', () => {
    const inMatrix = new Set(ROWS.map((r) => r.tx));
    const missing: string[] = [];
    for (const Contract of contracts) {
      const name = new Contract().getName();
      if (name === 'System' || name === 'Audit') continue; // no caller rules / the audit channel's own matrix
      const txs = (Reflect.getMetadata('fabric:transactions', Contract.prototype) ?? []) as Array<{ name: string }>;
      for (const tx of txs) if (!inMatrix.has(`${name}:${tx.name}` as Row['tx'])) missing.push(`${name}:${tx.name}`);
    }
    expect(missing).to.deep.equal([]);
  });

  for (const row of ROWS) {
    const [contract, method] = row.tx.split(':') as [ContractName, string];
    describe(row.tx, () => {
      for (const caller of Object.keys(CALLERS) as CallerName[]) {
        const allowed = row.allowed.includes(caller);
        it(`${allowed ? 'allows' : 'denies'} ${caller}`, async () => {
          const { m, p } = await prepared(caller);
          await row.before?.(m);
          const args = row.args?.(p) ?? [];
          const transient = TRANSIENT_FROM_PREPARED[row.tx]?.(p) ?? row.transient?.(m);
          if (allowed) {
            const r = await m.call(CALLERS[caller], contract, method, args, transient);
            expect(r.ok, `${caller} should be allowed: ${r.error?.message}`).to.equal(true);
          } else {
            await m.refused('FORBIDDEN', CALLERS[caller], contract, method, args, transient);
          }
        });
      }
    });
  }
});
