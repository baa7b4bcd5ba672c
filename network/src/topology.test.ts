import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './layout';
import { activeOrderers, allNodes, buildTopology, millis, portsOf, TopologyError } from './topology';

type RawOrg = Record<string, unknown> & { name: string; portBase: number; orderers?: number; trustee?: string };
type Raw = { orgs: RawOrg[]; [k: string]: unknown };

function defaultRaw(): Raw {
  return parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as Raw;
}

function refused(raw: unknown, consensus?: 'bft' | 'raft'): string {
  try {
    buildTopology(raw, consensus ? { consensus } : {});
  } catch (err) {
    expect(err).to.be.instanceOf(TopologyError);
    return (err as Error).message;
  }
  throw new Error('topology was accepted');
}

describe('topology', () => {
  it('declares the default consortium: four orgs, one peer and one SmartBFT node each', () => {
    const t = buildTopology(defaultRaw());
    expect(t.orgs.map((o) => o.mspId)).to.deep.equal(['RegulatorMSP', 'TrusteeMSP', 'OperatorAMSP', 'OperatorBMSP']);
    expect(t.consensus).to.equal('bft');
    expect(activeOrderers(t).map((o) => o.consenterId)).to.deep.equal([1, 2, 3, 4]);
    expect(t.orgs.every((o) => o.peers.length === 1)).to.equal(true);
  });

  it('adds an operator with one entry', () => {
    const raw = defaultRaw();
    raw.orgs.push({ name: 'OperatorC', mspId: 'OperatorCMSP', role: 'operator', trustee: 'Trustee', portBase: 7400 });
    const t = buildTopology(raw);
    const c = t.orgs.find((o) => o.name === 'OperatorC');
    expect(c?.peers[0]?.port).to.equal(7410);
    expect(c?.peers[0]?.hostname).to.equal('peer0.operatorc.ecf.example.com');
    expect(activeOrderers(t)).to.have.length(5);
  });

  it('uses the first three ordering nodes for Raft', () => {
    const t = buildTopology(defaultRaw(), { consensus: 'raft' });
    expect(activeOrderers(t).map((o) => o.org)).to.deep.equal(['Regulator', 'Trustee', 'OperatorA']);
    expect(allNodes(t).filter((n) => n.kind === 'orderer')).to.have.length(3);
  });

  it('refuses duplicate ports and names both users of the port', () => {
    const raw = defaultRaw();
    const second = raw.orgs[1];
    if (second) second.portBase = 7000;
    expect(refused(raw)).to.match(/duplicate port 70\d\d: (tls)?ca\.regulator listen and (tls)?ca\.trustee listen/);
  });

  it('refuses an operator whose trustee is an unknown org', () => {
    const raw = defaultRaw();
    const op = raw.orgs[2];
    if (op) op.trustee = 'Nobody';
    expect(refused(raw)).to.match(/unknown org Nobody/);
  });

  it('refuses BFT with fewer than four ordering nodes', () => {
    const raw = defaultRaw();
    const last = raw.orgs[3];
    if (last) last.orderers = 0;
    expect(refused(raw)).to.match(/BFT ordering needs at least 4 ordering nodes.*has 3/);
    expect(() => buildTopology(raw, { consensus: 'raft' })).not.to.throw();
  });

  it('defaults the SmartBFT failure detection to a failover within seconds, and refuses values SmartBFT would refuse', () => {
    const bft = buildTopology(defaultRaw()).ordering.smartBFT;
    expect(bft).to.include({
      requestForwardTimeout: '1s',
      requestComplainTimeout: '2s',
      leaderHeartbeatTimeout: '3s',
      viewChangeResendInterval: '1s',
      viewChangeTimeout: '10s',
    });
    const slow = defaultRaw();
    slow.ordering = { smartBFT: { requestForwardTimeout: '3s', requestComplainTimeout: '2500ms' } };
    expect(refused(slow)).to.match(/ordering\.smartBFT: requestForwardTimeout must not exceed requestComplainTimeout/);
    const resend = defaultRaw();
    resend.ordering = { smartBFT: { viewChangeResendInterval: '11s' } };
    expect(refused(resend)).to.match(/viewChangeResendInterval must not exceed viewChangeTimeout/);
    const minutes = defaultRaw();
    minutes.ordering = { smartBFT: { leaderHeartbeatTimeout: '1m' } };
    expect(refused(minutes)).to.match(/leaderHeartbeatTimeout: a duration such as 250ms or 2s/);
  });

  it('reads topology durations in milliseconds', () => {
    expect(millis('250ms')).to.equal(250);
    expect(millis('20s')).to.equal(20_000);
    expect(() => millis('1m')).to.throw(TopologyError);
  });

  it('refuses unknown fields, duplicate MSP IDs and a missing regulator', () => {
    expect(refused({ ...defaultRaw(), colour: 'blue' })).to.match(/invalid topology/);
    const dup = defaultRaw();
    const b = dup.orgs[3];
    if (b) b.mspId = 'OperatorAMSP';
    expect(refused(dup)).to.match(/duplicate MSP ID: OperatorAMSP/);
    const noReg = defaultRaw();
    const reg = noReg.orgs[0];
    if (reg) reg.role = 'trustee';
    expect(refused(noReg)).to.match(/exactly one regulator/);
  });

  it('gives every node distinct ports', () => {
    const t = buildTopology(defaultRaw());
    const ports = allNodes(t).flatMap((n) => portsOf(n).map((p) => p.port));
    expect(new Set(ports).size).to.equal(ports.length);
  });
});
