import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configtx, profileName } from './configtx';
import { nativePlacement } from './context';
import { identitiesOf } from './ca';
import { hostOf, hostsPlacement, hostsPlan } from './hosts';
import { Layout, REPO_ROOT } from './layout';
import { caEnv, ordererEnv, peerEnv } from './node-env';
import { choosePlacement } from './placement';
import { buildTopology, loadTopology, TopologyError, type Topology } from './topology';
import { withOperatorC } from './testing/topologies';

/** The repository's topology moved by a port shift, as test networks are. */
function shifted(shift: number): Topology {
  const raw = parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as {
    orgs: Array<{ portBase: number }>;
  };
  for (const org of raw.orgs) org.portBase += shift;
  return buildTopology(raw);
}

const IFNAMSIZ = 15;

describe('hosts placement', () => {
  let t: Topology;
  before(() => {
    t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
  });

  it('gives each org its own namespace, address and link, all on one subnet with the bridge', () => {
    const plan = hostsPlan(t);
    expect(plan.hosts.map((h) => h.org)).to.deep.equal(t.orgs.map((o) => o.name));
    for (const key of ['netns', 'address', 'link'] as const) {
      expect(new Set(plan.hosts.map((h) => h[key])).size, key).to.equal(t.orgs.length);
    }
    const subnet = plan.bridgeAddress.split('.').slice(0, 3).join('.');
    for (const h of plan.hosts) {
      expect(h.address.startsWith(`${subnet}.`), h.address).to.equal(true);
      expect(h.address).to.not.equal(plan.bridgeAddress);
      // Linux refuses interface names longer than 15 bytes (the namespace side gets `<link>n` first).
      expect(`${h.link}n`.length, h.link).to.be.at.most(IFNAMSIZ);
    }
    expect(plan.bridge.length).to.be.at.most(IFNAMSIZ);
    expect(plan.bridgeAddress.startsWith('198.1')).to.equal(true);
  });

  it('names and addresses differ between networks on other port ranges, so parallel runs do not collide', () => {
    const shifts = [0, 1_000, 10_000, 20_000, 23_000, 24_000];
    const plans = shifts.map((s) => hostsPlan(shifted(s)));
    const all = (f: (p: ReturnType<typeof hostsPlan>) => string[]) => plans.flatMap(f);
    for (const [what, values] of Object.entries({
      bridge: all((p) => [p.bridge]),
      subnet: all((p) => [p.bridgeAddress]),
      netns: all((p) => p.hosts.map((h) => h.netns)),
      link: all((p) => p.hosts.map((h) => h.link)),
    })) {
      expect(new Set(values).size, what).to.equal(values.length);
    }
  });

  it('keeps every org where it was when an org joins, and plans a host for it', () => {
    const before = hostsPlan(t);
    const after = hostsPlan(withOperatorC());
    for (const h of before.hosts) expect(hostOf(after, h.org)).to.deep.equal(h);
    expect(hostOf(after, 'OperatorC').address).to.not.be.oneOf(before.hosts.map((h) => h.address));
  });

  it('dials every node at its org host address, which its TLS certificate carries, and never loopback', () => {
    const layout = new Layout('/tmp/ecf-hosts-unit');
    const p = hostsPlacement(layout, t);
    const plan = hostsPlan(t);
    const env = t.orgs.flatMap((org) => [
      ...org.peers.map((n) => peerEnv(t, n, p)),
      ...org.orderers.map((n) => ordererEnv(t, n, p)),
      ...[org.tlsCa, org.ca].map((n) => caEnv(t, n, p)),
    ]);
    for (const e of env) expect(JSON.stringify(e)).to.not.match(/127\.0\.0\.1|localhost/);
    for (const org of t.orgs) {
      const { address, netns } = hostOf(plan, org.name);
      expect(p.netns(org.name)).to.equal(netns);
      const peer = org.peers[0];
      if (!peer) throw new Error('no peer');
      expect(peerEnv(t, peer, p).CORE_PEER_ADDRESS).to.equal(`${address}:${peer.port}`);
      expect(String(caEnv(t, org.ca, p).FABRIC_CA_SERVER_CSR_HOSTS).split(',')).to.include(address);
      for (const spec of identitiesOf(org, p).filter((s) => s.tlsHosts)) {
        expect(spec.tlsHosts, spec.name).to.include(address);
        expect(spec.tlsHosts, spec.name).to.not.include('127.0.0.1');
      }
    }
    // Channel config from the same code: consenters and anchor peers at their hosts' addresses.
    const profile = configtx(t, p).Profiles as Record<
      string,
      { Orderer: { ConsenterMapping: Array<{ Host: string }> } }
    >;
    const hosts = profile[profileName('market')]?.Orderer.ConsenterMapping.map((c) => c.Host) ?? [];
    expect(hosts).to.deep.equal(t.orgs.filter((o) => o.orderers.length > 0).map((o) => hostOf(plan, o.name).address));
  });

  it('differs from the native run only in placement: the same settings, other addresses', () => {
    const layout = new Layout('/tmp/ecf-hosts-unit');
    const hosts = hostsPlacement(layout, t);
    const native = nativePlacement(layout);
    for (const org of t.orgs) {
      for (const peer of org.peers) {
        const a = peerEnv(t, peer, hosts);
        const b = peerEnv(t, peer, native);
        expect(Object.keys(a).sort()).to.deep.equal(Object.keys(b).sort());
        for (const [key, value] of Object.entries(b)) {
          if (!/(ADDRESS|BOOTSTRAP|ENDPOINT)$/.test(key)) expect(a[key], key).to.equal(value);
        }
      }
    }
  });

  it('is recorded with the network: later commands use it, and switching needs a clean start', () => {
    const home = mkdtempSync(join(tmpdir(), 'ecf-hosts-unit-'));
    try {
      const layout = new Layout(home);
      expect(choosePlacement(layout, t).name).to.equal('native');
      mkdirSync(layout.run, { recursive: true });
      writeFileSync(layout.stateFile, JSON.stringify({ consensus: 'bft', placement: 'hosts' }));
      expect(choosePlacement(layout, t).name).to.equal('hosts');
      expect(() => choosePlacement(layout, t, 'native')).to.throw(TopologyError, /down --clean/);
      expect(() => choosePlacement(layout, t, 'docker')).to.throw(TopologyError, /native or hosts/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
