import { expect } from 'chai';
import request from 'supertest';
import { FabricFailure } from './fabric/types';
import { FakeFabric, harness } from './testing/fake-fabric';
import { accountRecord, bearer, KYC } from './testing/fixtures';

const PERSONAL = { fullName: 'Bob Lim', nationalId: 'S7654321A', dateOfBirth: '1991-03-04', email: 'bob@example.com' };
const account = accountRecord;
const participant = (status: string) => ({
  v: 1,
  mspId: 'OperatorAMSP',
  kind: 'operator',
  status,
  statusReason: 'admitted',
  admittedAt: 1,
  updatedAt: 1,
});

/**
 * The chain as the real one answers onboarding: OperatorA active, `accounts` existing (others not
 * found), and `Onboard` refusing an existing id as the chaincode does.
 */
function chain(fabric: FakeFabric, accounts: Record<string, object | FabricFailure>, operator = 'ACTIVE') {
  fabric.answer('Registry:GetParticipant', () => participant(operator));
  const lookup = (id: string) => {
    const found = accounts[id];
    if (found instanceof FabricFailure) throw found;
    if (!found) throw new FabricFailure('chaincode', `NOT_FOUND: account ${id} not found`);
    return found;
  };
  fabric.answer('Accounts:GetAccount', (call) => lookup(String(call.args?.[0])));
  fabric.answer('Accounts:Onboard', (call) => {
    const id = String((call.transient as { accountId: string }).accountId);
    if (accounts[id]) throw new FabricFailure('chaincode', `CONFLICT: account ${id} already exists`, 'tx9');
    return account(id);
  });
}

const onboard = (app: Parameters<typeof request>[0], token: string, accountId: string, type = 'investor') =>
  request(app).post('/v1/accounts').set(bearer(token)).send({ accountId, type, kyc: KYC, personal: PERSONAL });

describe('onboarding changes the CA and the wallet only for a request the chain accepts', () => {
  it('refuses to re-onboard an existing account under another type without touching its identity', async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, { alice: account('alice') });
    const before = ca.state();
    const res = await onboard(app, token.operator, 'alice', 'issuer').expect(409);
    expect(res.body).to.include({ code: 'CONFLICT', detail: 'account alice already exists' });
    expect(ca.state(), 'registration and wallet entry as they were').to.deep.equal(before);
    expect(fabric.submits('Accounts:Onboard')).to.have.length(0);
    // The customer's own credential still acts as before.
    await request(app).get('/v1/accounts/alice').set(bearer(token.investor)).expect(200);
  });

  it("refuses another operator's customer's id with the chaincode's 409, and leaves no wallet entry", async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, {
      cat: new FabricFailure('chaincode', 'FORBIDDEN: OperatorAMSP may not read account cat'),
    });
    const before = ca.state();
    const res = await onboard(app, token.operator, 'cat').expect(409);
    expect(res.body.detail).to.equal('account cat already exists');
    expect(ca.state()).to.deep.equal(before);
    expect(ca.wallet.has('acct-cat')).to.equal(false);
  });

  it('refuses a suspended operator with 403 before registering anyone', async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, {}, 'SUSPENDED');
    const before = ca.state();
    const res = await onboard(app, token.operator, 'bob').expect(403);
    expect(res.body.detail).to.equal('operator OperatorAMSP is suspended');
    expect(ca.state()).to.deep.equal(before);
    expect(ca.enrolled).to.deep.equal([]);
  });

  it("refuses an offboarded account's id with 409 and says why (its CA identity is revoked for good)", async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, { zed: account('zed', { status: 'OFFBOARDED' }) });
    const res = await onboard(app, token.operator, 'zed').expect(409);
    expect(res.body.detail).to.match(/zed was offboarded; an offboarded account's id is never reused/);
    expect(ca.enrolled).to.deep.equal([]);
  });

  it('refuses an account id too long for a CA identity with 400, not a CA error', async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, {});
    const res = await onboard(app, token.operator, 'a'.repeat(60)).expect(400);
    expect(res.body.code).to.equal('INVALID_ARGUMENT');
    expect(ca.enrolled).to.deep.equal([]);
    expect(fabric.calls).to.have.length(0);
  });

  it('takes the new identity back when the chaincode refuses after enrolment (a concurrent onboarding)', async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, {});
    fabric.answer('Accounts:Onboard', () => {
      throw new FabricFailure('chaincode', 'CONFLICT: account bob already exists', 'tx2');
    });
    const before = ca.state();
    await onboard(app, token.operator, 'bob').expect(409);
    expect(ca.undone).to.deep.equal(['acct-bob']);
    expect(ca.state()).to.deep.equal(before);
  });

  it('puts a replaced wallet entry and registration back when the transaction commits invalid', async () => {
    const { app, fabric, ca, token } = harness();
    // A registration and wallet entry left by an earlier, unanswered attempt.
    ca.registrations.set('acct-bob', { role: 'investor', account: 'bob' });
    ca.wallet.set('acct-bob', 'cert-acct-bob-earlier');
    chain(fabric, {});
    fabric.answer('Accounts:Onboard', () => {
      throw new FabricFailure('invalid', 'committed as invalid: ENDORSEMENT_POLICY_FAILURE', 'tx3');
    });
    const before = ca.state();
    await onboard(app, token.operator, 'bob', 'issuer').expect(422);
    expect(ca.state()).to.deep.equal(before);
  });

  it('still answers the refusal when an undo step fails, and logs what was left behind', async () => {
    const { app, fabric, ca, token, logs } = harness();
    chain(fabric, {});
    fabric.answer('Accounts:Onboard', () => {
      throw new FabricFailure('chaincode', 'INVALID_ARGUMENT: kyc.validUntil is not in the future', 'tx4');
    });
    ca.registerAndEnroll = async (req) => ({
      label: req.enrollmentId,
      certificate: 'cert',
      undo: async () => {
        throw new Error('could not revoke the new certificate: CA unreachable');
      },
    });
    const res = await onboard(app, token.operator, 'bob').expect(400);
    expect(res.body.detail).to.equal('kyc.validUntil is not in the future');
    expect(logs.join('\n')).to.contain('could not revoke the new certificate: CA unreachable');
  });

  it('keeps the identity when the outcome is unknown (the transaction may still commit)', async () => {
    const { app, fabric, ca, token } = harness();
    chain(fabric, {});
    fabric.dieWhileOrdering = true;
    await onboard(app, token.operator, 'bob').expect(202);
    expect(ca.undone).to.deep.equal([]);
    expect(ca.wallet.has('acct-bob')).to.equal(true);
  });

  it('answers a CA refusal with 502 CA_REFUSED, no CA internals, and the CA message in the log', async () => {
    const { app, fabric, ca, token, logs } = harness();
    chain(fabric, {});
    ca.failNext = new FabricFailure(
      'ca',
      "the org's certificate authority refused to register or enroll the identity; nothing was changed",
      undefined,
      undefined,
      'fabric-ca request register failed: Identity acct-bob is in an invalid state',
    );
    const res = await onboard(app, token.operator, 'bob').expect(502);
    expect(res.body.code).to.equal('CA_REFUSED');
    expect(res.body.detail).not.to.contain('invalid state');
    expect(fabric.submits('Accounts:Onboard')).to.have.length(0);
    expect(logs.join('\n')).to.contain('Identity acct-bob is in an invalid state');
  });
});
