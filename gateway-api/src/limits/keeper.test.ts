import type { LimitDecision } from '@ecf/common';
import { expect } from 'chai';
import { createLogger } from '../log';
import { FakeFabric } from '../testing/fake-fabric';
import { byOperator, LimitKeeper } from './keeper';

const decision = (investmentId: string, operatorMspId: string, refuse = false): LimitDecision => ({
  investmentId,
  operatorMspId,
  decision: refuse ? 'REFUSE' : 'CONFIRM',
  ...(refuse ? { code: 'INVESTOR_LIMIT_EXCEEDED', message: 'over the yearly cap' } : {}),
});

describe('LimitKeeper: the trustee records the review of its own peer, one operator per transaction', () => {
  const logger = createLogger({ level: 'error', org: 'Trustee' });

  it('reviews by query, then decides in the review order, never mixing two operators in one transaction', async () => {
    const review = [
      decision('a1', 'OperatorAMSP'),
      decision('b1', 'OperatorBMSP', true),
      decision('a2', 'OperatorAMSP'),
    ];
    const fabric = new FakeFabric().answer('Limits:Review', () => ({ decisions: review }));
    const keeper = new LimitKeeper({
      market: fabric,
      identity: 'gateway',
      endorsers: ['RegulatorMSP', 'TrusteeMSP'],
      logger,
    });
    expect(await keeper.once()).to.equal(3);
    expect(fabric.calls.map((c) => [c.kind, c.call.fn])).to.deep.equal([
      ['evaluate', 'Limits:Review'],
      ['submit', 'Limits:Decide'],
      ['submit', 'Limits:Decide'],
      ['submit', 'Limits:Decide'],
    ]);
    const decides = fabric.calls.filter((c) => c.kind === 'submit').map((c) => c.call);
    expect(
      decides.map((c) => (c.transient as { decisions: LimitDecision[] }).decisions.map((d) => d.investmentId)),
    ).to.deep.equal([['a1'], ['b1'], ['a2']]);
    // Decisions travel in transient data, never in arguments, and both supervisors endorse.
    for (const c of decides) {
      expect(c.args ?? []).to.deep.equal([]);
      expect(c.endorsingOrganizations).to.deep.equal(['RegulatorMSP', 'TrusteeMSP']);
    }
  });

  it('submits nothing when nothing is pending, and stops after a failed Decide so the rest is reviewed again', async () => {
    const idle = new FakeFabric().answer('Limits:Review', () => ({ decisions: [] }));
    const keeper = new LimitKeeper({ market: idle, identity: 'gateway', endorsers: [], logger });
    expect(await keeper.once()).to.equal(0);
    expect(idle.calls.filter((c) => c.kind === 'submit')).to.deep.equal([]);

    const failing = new FakeFabric()
      .answer('Limits:Review', () => ({ decisions: [decision('a1', 'OperatorAMSP'), decision('b1', 'OperatorBMSP')] }))
      .answer('Limits:Decide', () => {
        throw new Error('endorsement failed');
      });
    const k2 = new LimitKeeper({ market: failing, identity: 'gateway', endorsers: [], logger });
    let failed = false;
    await k2.once().catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(failing.calls.filter((c) => c.kind === 'submit')).to.have.length(1);
  });

  it('splits a long run of one operator into Decide calls of at most 200', () => {
    const many = Array.from({ length: 450 }, (_, i) => decision(`a${i}`, 'OperatorAMSP'));
    expect(byOperator(many).map((b) => b.length)).to.deep.equal([200, 200, 50]);
  });
});
