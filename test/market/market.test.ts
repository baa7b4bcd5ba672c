import { expect } from 'chai';
import { enrollUser, gatewayErrorText } from '@ecf/network';
import type { SupplyReport, WithdrawalDecision, WithdrawalRecord, WithdrawalResult } from '@ecf/common';
import type { Client, ClientPool } from '../support/client';
import { eventually, until } from '../support/eventually';
import { balanceOf, createMoneyToken, marketClients, onboardAccount } from '../support/market-steps';
import { sharedMarket, type SharedMarket } from '../support/shared-network';

const MKT = 'TrusteeMSP.MKT';
const salt = 'ZTJlLXRlc3Qtc2FsdC0xMjM0NQ==';

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<string> {
  try {
    await p;
  } catch (err) {
    const text = gatewayErrorText(err);
    expect(text).to.match(pattern);
    return text;
  }
  throw new Error(`expected a refusal matching ${pattern}`);
}

/**
 * The market's hierarchy, private data and money on the shared network. Its accounts (`mkt-`) and its
 * money token `TrusteeMSP.MKT` are its own: it asserts the token's exact supply and sets the token's
 * withdrawal policy, which no other suite sees.
 */
describe('market chaincode on the real network: hierarchy, privacy, money', function () {
  this.timeout(600_000);
  let market: SharedMarket;
  let pool: ClientPool;
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;
  let alice: Client;

  const balance = (c: Client, accountId: string) => balanceOf(c, accountId, MKT);

  before(async () => {
    market = await sharedMarket();
    pool = market.pool;
    ({ regulator, trustee, operatorA, operatorB } = marketClients(pool));
    expect(await createMoneyToken(trustee, 'MKT')).to.equal(MKT);
  });

  it('the regulator has admitted the trustee and two operators linked to it; an operator admits no one', async () => {
    // The shared network's start-up admitted them (admitDefaultConsortium), as the regulator does on a new market.
    const all = await operatorB.evaluate<Array<{ mspId: string }>>('Registry:ListParticipants');
    expect(all.map((p) => p.mspId).sort()).to.deep.equal(['OperatorAMSP', 'OperatorBMSP', 'TrusteeMSP']);
    for (const mspId of ['OperatorAMSP', 'OperatorBMSP']) {
      const p = await operatorB.evaluate<{ kind: string; trusteeMspId?: string }>('Registry:GetParticipant', {
        args: [mspId],
      });
      expect(p).to.include({ kind: 'operator', trusteeMspId: 'TrusteeMSP' });
    }
    await refused(
      operatorA.submit('Registry:AdmitParticipant', {
        args: [JSON.stringify({ mspId: 'XMSP', kind: 'trustee', reason: 'licensed for equity crowdfunding' })],
      }),
      /FORBIDDEN/,
    );
  });

  it('two operators onboard customers with personal data in transient data only', async () => {
    const customer = (accountId: string, investorClass = 'retail') => ({
      investorClass,
      nationalId: `NRIC-${accountId}`,
      dateOfBirth: '1988-08-08',
    });
    await Promise.all([
      ...(
        [
          ['mkt-alice', 'retail'],
          ['mkt-bob', 'sophisticated'],
          ['mkt-dave', 'retail'],
          ['mkt-erin', 'retail'],
          ['mkt-frank', 'retail'],
        ] as const
      ).map(([id, cls]) => onboardAccount(operatorA, id, 'investor', salt, customer(id, cls))),
      onboardAccount(operatorB, 'mkt-carol', 'investor', salt, customer('mkt-carol')),
    ]);
    const { net } = market;
    await enrollUser(net.layout, await net.bin(), net.org('OperatorA'), 'mkt-alice', {
      role: 'investor',
      account: 'mkt-alice',
    });
    alice = pool.get('OperatorA', 'mkt-alice');
    const own = await alice.evaluate<{ id: string; personalDataHash: string }>('Accounts:GetAccount', {
      args: ['mkt-alice'],
    });
    expect(own.id).to.equal('mkt-alice');
    expect(own.personalDataHash).to.match(/^[0-9a-f]{64}$/);
  });

  it('keeps OperatorA’s personal data off OperatorB’s peer: real collection membership, not only a chaincode check', async () => {
    // The chaincode refuses OperatorB itself...
    await refused(operatorB.evaluate('Accounts:GetPersonalData', { args: ['mkt-alice'] }), /FORBIDDEN/);
    // ...and even the regulator, whom the chaincode allows, gets nothing from OperatorB's peer: it never received the data.
    const fromB = await refused(
      regulator.evaluate('Accounts:GetPersonalData', { args: ['mkt-alice'], on: ['OperatorBMSP'] }),
      /private data|collection|not available|access|denied|member/i,
    );
    expect(fromB).not.to.match(/FORBIDDEN/);
    console.log(`      OperatorB's peer, asked by the regulator: ${fromB.slice(0, 240)}`);
    // The regulator's and the trustee's peers are members and do hold it.
    const viaRegulator = await regulator.evaluate<{ personal: { nationalId: string } }>('Accounts:GetPersonalData', {
      args: ['mkt-alice'],
    });
    expect(viaRegulator.personal.nationalId).to.equal('NRIC-mkt-alice');
    const viaTrustee = await trustee.evaluate<{ personal: { nationalId: string } }>('Accounts:GetPersonalData', {
      args: ['mkt-alice'],
    });
    expect(viaTrustee.personal.nationalId).to.equal('NRIC-mkt-alice');
    const verified = await regulator.evaluate<{ matchesAccount: boolean }>('Accounts:VerifyPersonalData', {
      args: ['mkt-alice'],
    });
    expect(verified.matchesAccount).to.equal(true);
  });

  it('runs a deposit → transfer → cross-operator settlement → withdrawal round and keeps the money invariant', async () => {
    await trustee.submit('Money:Deposit', {
      transient: { accountId: 'mkt-alice', tokenId: MKT, amount: '1000000', bankReference: 'MBB-0001' },
    });
    await alice.submit('Transfers:Transfer', {
      transient: { from: 'mkt-alice', to: 'mkt-bob', assetId: MKT, amount: '250000' },
    });
    // Across operators only an instruction moves money; the check and the transfer say so alike.
    const cross = { from: 'mkt-alice', to: 'mkt-carol', assetId: MKT, amount: '1' };
    const crossCheck = await alice.evaluate<{ allowed: boolean; code: string }>('Transfers:CanTransfer', {
      transient: cross,
    });
    expect(crossCheck).to.include({ allowed: false, code: 'CROSS_OPERATOR' });
    await refused(
      alice.submit('Transfers:Transfer', { transient: cross }),
      /COMPLIANCE: CROSS_OPERATOR: .*\/v1\/instructions/,
    );
    const instructionId = await alice.submit<string>('Transfers:Instruct', {
      transient: { from: 'mkt-alice', to: 'mkt-carol', assetId: MKT, amount: '100000' },
    });
    const inFlight = await regulator.evaluate<SupplyReport>('Supervision:CheckSupply', {
      args: [JSON.stringify({ assetId: MKT })],
    });
    expect(inFlight).to.include({ supply: '1000000', held: '900000', inTransit: '100000', consistent: true });
    const settled = await trustee.submit<{ outcome: string }>('Transfers:Settle', {
      args: [JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' })],
    });
    expect(settled.outcome).to.equal('SETTLED');
    await refused(
      trustee.submit('Transfers:Settle', {
        args: [JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' })],
      }),
      /CONFLICT: .*already settled/,
    );
    // History in ledger order, newest last, whatever the transaction ids.
    const history = await alice.evaluate<{ movements: Array<{ delta: string; seq: number }> }>('Accounts:GetHistory', {
      args: ['mkt-alice'],
    });
    expect(history.movements.map((mv) => mv.delta)).to.deep.equal(['1000000', '-250000', '-100000']);
    expect(history.movements.map((mv) => mv.seq)).to.deep.equal([1, 2, 3]);
    await trustee.submit('Money:Withdraw', {
      transient: { accountId: 'mkt-bob', tokenId: MKT, amount: '50000', bankReference: 'MBB-0002' },
    });

    const report = await regulator.evaluate<SupplyReport>('Supervision:CheckSupply', {
      args: [JSON.stringify({ assetId: MKT })],
    });
    expect(report).to.include({ supply: '950000', held: '950000', inTransit: '0', consistent: true });
    const byTrustee = await trustee.evaluate<SupplyReport>('Supervision:CheckSupply', {
      args: [JSON.stringify({ assetId: MKT })],
    });
    expect(byTrustee.consistent).to.equal(true);
    await eventually(() => balance(operatorB, 'mkt-carol'), '100000', 'carol credited by the settlement');
  });

  it('keeps holdings private: OperatorB cannot read OperatorA’s customers’ balances, on its own peer or through the chaincode', async () => {
    await refused(
      operatorB.evaluate('Transfers:GetBalance', { args: [JSON.stringify({ accountId: 'mkt-alice', assetId: MKT })] }),
      /FORBIDDEN/,
    );
    const fromB = await refused(
      regulator.evaluate('Transfers:GetBalance', {
        args: [JSON.stringify({ accountId: 'mkt-alice', assetId: MKT })],
        on: ['OperatorBMSP'],
      }),
      /private data|collection|not available|access|denied|member/i,
    );
    expect(fromB).not.to.match(/FORBIDDEN/);
    await eventually(() => balance(regulator, 'mkt-alice'), '650000', 'alice through the regulator');
  });

  it('commits two concurrent transfers between disjoint accounts without conflict', async () => {
    await trustee.submit('Money:Deposit', {
      transient: { accountId: 'mkt-erin', tokenId: MKT, amount: '5000', bankReference: 'MBB-0003' },
    });
    // Both transfers are endorsed before either is ordered; an MVCC conflict would fail one at commit.
    await Promise.all([
      operatorA.submit('Transfers:Transfer', {
        transient: { from: 'mkt-alice', to: 'mkt-bob', assetId: MKT, amount: '10' },
      }),
      operatorA.submit('Transfers:Transfer', {
        transient: { from: 'mkt-erin', to: 'mkt-frank', assetId: MKT, amount: '10' },
      }),
    ]);
    await eventually(() => balance(regulator, 'mkt-frank'), '10', 'frank credited');
  });

  it('answers CanTransfer with a reason code and refuses the same transfer when submitted', async () => {
    const check = await alice.evaluate<{ allowed: boolean; code: string }>('Transfers:CanTransfer', {
      transient: { from: 'mkt-alice', to: 'mkt-bob', assetId: MKT, amount: '99999999' },
    });
    expect(check).to.include({ allowed: false, code: 'INSUFFICIENT_BALANCE' });
    await refused(
      alice.submit('Transfers:Transfer', {
        transient: { from: 'mkt-alice', to: 'mkt-bob', assetId: MKT, amount: '99999999' },
      }),
      /COMPLIANCE: INSUFFICIENT_BALANCE/,
    );
    await refused(
      alice.submit('Transfers:Transfer', {
        transient: { from: 'mkt-bob', to: 'mkt-alice', assetId: MKT, amount: '1' },
      }),
      /FORBIDDEN/,
    );
    await refused(
      alice.submit('Transfers:Transfer', {
        transient: { from: 'mkt-alice', to: 'mkt-bob', assetId: MKT, amount: '-1' },
      }),
      /INVALID_ARGUMENT/,
    );
  });

  it('holds a large withdrawal for its review window: refused before it, executed after it, cancelled with the hold released', async () => {
    // The trustee's own peer must have the policy before its gateway endorses a withdrawal under it.
    const policy = async (reviewSeconds: number) => {
      await regulator.submit('Money:SetWithdrawalPolicy', {
        args: [JSON.stringify({ tokenId: MKT, threshold: '100000', reviewSeconds, reason: 'e2e review window' })],
      });
      await until(
        () =>
          trustee.evaluate<{ reviewSeconds: number }>('Money:GetWithdrawalPolicy', {
            args: [JSON.stringify({ tokenId: MKT })],
          }),
        (p) => p.reviewSeconds === reviewSeconds,
        'the policy on the trustee peer',
      );
    };
    const request = (amount: string, bankReference: string) =>
      trustee.submit<WithdrawalResult>('Money:Withdraw', {
        transient: { accountId: 'mkt-alice', tokenId: MKT, amount, bankReference },
      });
    const supply = () =>
      regulator.evaluate<SupplyReport>('Supervision:CheckSupply', { args: [JSON.stringify({ assetId: MKT })] });
    const start = await supply();
    const free = BigInt(await balance(regulator, 'mkt-alice'));

    // An hour's window: a premature execution is refused whatever the machine's speed.
    await policy(3600);
    const first = await request('200000', 'MBB-BIG-1');
    expect(first.status).to.equal('PENDING');
    const firstRef = { accountId: 'mkt-alice', withdrawalId: first.withdrawalId };
    await refused(
      trustee.submit('Money:ExecuteWithdrawal', { transient: firstRef }),
      /COMPLIANCE: REVIEW_WINDOW_OPEN: .*under review until/,
    );
    // The held amount is out of the balance (as alice's own operator's peer sees it), and nothing can move it.
    expect(BigInt(await balance(trustee, 'mkt-alice'))).to.equal(free - 200000n);
    await eventually(() => balance(operatorA, 'mkt-alice'), (free - 200000n).toString(), 'the hold at OperatorA');
    await refused(
      alice.submit('Transfers:Transfer', {
        transient: { from: 'mkt-alice', to: 'mkt-bob', assetId: MKT, amount: String(free - 200000n + 1n) },
      }),
      /COMPLIANCE: INSUFFICIENT_BALANCE/,
    );
    expect(await supply()).to.include({ supply: start.supply, pendingWithdrawals: '200000', consistent: true });
    // Cancelled within the window, with a reason: the hold goes back to the balance.
    const cancelled = await regulator.submit<WithdrawalDecision>('Money:CancelWithdrawal', {
      transient: { ...firstRef, reason: 'customer disputes the payee' },
    });
    expect(cancelled).to.include({ status: 'CANCELLED', decidedBy: 'RegulatorMSP' });
    const kept = await trustee.evaluate<WithdrawalRecord>('Money:GetWithdrawal', { args: [JSON.stringify(firstRef)] });
    expect(kept).to.include({ status: 'CANCELLED', reason: 'customer disputes the payee' });
    await eventually(() => balance(trustee, 'mkt-alice'), free.toString(), 'the hold released');
    expect(await supply()).to.include({ supply: start.supply, pendingWithdrawals: '0', consistent: true });

    // A short window: the trustee retries until the transaction time has passed it.
    await policy(3);
    const second = await request('150000', 'MBB-BIG-2');
    const secondRef = { accountId: 'mkt-alice', withdrawalId: second.withdrawalId };
    const started = Date.now();
    let early = 0;
    const executed = await until(
      async () => {
        try {
          return await trustee.submit<WithdrawalDecision>('Money:ExecuteWithdrawal', { transient: secondRef });
        } catch (err) {
          const text = gatewayErrorText(err);
          if (/REVIEW_WINDOW_OPEN/.test(text)) early += 1;
          return text;
        }
      },
      (v) => typeof v !== 'string' || !/REVIEW_WINDOW_OPEN/.test(v),
      'execution once the review window has passed',
      60_000,
    );
    expect(executed, String(executed)).to.include({ status: 'EXECUTED', decidedBy: 'TrusteeMSP' });
    console.log(
      `      held withdrawal executed ${Date.now() - started} ms after its request committed (window 3 s from the request’s timestamp; ${early} early attempts refused)`,
    );
    const end = await supply();
    expect(end).to.include({ pendingWithdrawals: '0', consistent: true });
    expect(BigInt(end.supply)).to.equal(BigInt(start.supply) - 150000n);
    await eventually(() => balance(regulator, 'mkt-alice'), (free - 150000n).toString(), 'the payout');
  });

  it('purges an offboarded person’s data and keeps the on-chain hash', async () => {
    await operatorA.submit('Accounts:SetStatus', {
      args: [JSON.stringify({ accountId: 'mkt-dave', status: 'OFFBOARDED', reason: 'customer left the platform' })],
    });
    await operatorA.submit('Accounts:PurgePersonalData', { args: ['mkt-dave'] });
    await refused(regulator.evaluate('Accounts:GetPersonalData', { args: ['mkt-dave'] }), /NOT_FOUND/);
    const account = await regulator.evaluate<{ personalDataHash: string; status: string }>('Accounts:GetAccount', {
      args: ['mkt-dave'],
    });
    expect(account.status).to.equal('OFFBOARDED');
    expect(account.personalDataHash).to.match(/^[0-9a-f]{64}$/);
    const v = await regulator.evaluate<{ present: boolean }>('Accounts:VerifyPersonalData', { args: ['mkt-dave'] });
    expect(v.present).to.equal(false);
  });
});
