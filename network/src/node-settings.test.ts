import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { NetworkContext } from './context';
import { nativePlacement } from './context';
import { Layout, REPO_ROOT } from './layout';
import { ordererEnv, peerEnv } from './node-env';
import { DEFAULT_NODE_SETTINGS, PEER_LOGGING, profilePort } from './node-settings';
import { writePeerConfig } from './peer-config';
import { buildTopology, portsOf, type OrdererNode, type PeerNode, type Topology } from './topology';

function topologyWith(nodes?: Record<string, unknown>): Topology {
  const raw = parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as Record<string, unknown>;
  if (nodes) raw.nodes = nodes;
  return buildTopology(raw);
}

describe('node settings (logging, Go GC, validators, pprof)', () => {
  let dir: string;
  let layout: Layout;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecf-node-settings-'));
    layout = new Layout(join(dir, 'net'), join(dir, 'net', 'crypto'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes a peer's core.yaml over a stand-in default file and parses it back. */
  const coreYaml = (t: Topology, peer: PeerNode): Record<string, Record<string, unknown>> => {
    const fabricConfig = join(dir, 'fabric-config');
    mkdirSync(fabricConfig, { recursive: true });
    writeFileSync(
      join(fabricConfig, 'core.yaml'),
      'peer:\n  gossip:\n    orgLeader: false\n    useLeaderElection: true\n  deliveryclient: {}\n  validatorPoolSize:\n',
    );
    const ctx = { topology: t, layout, fabricConfig, placement: nativePlacement(layout) } as unknown as NetworkContext;
    return parse(readFileSync(join(writePeerConfig(ctx, peer), 'core.yaml'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
  };

  it('defaults to the tuned values and keeps pprof off', () => {
    const t = topologyWith();
    expect(t.nodes).to.deep.equal(DEFAULT_NODE_SETTINGS);
    expect(DEFAULT_NODE_SETTINGS.profile).to.equal(false);
    const peer = t.orgs[0]?.peers[0] as PeerNode;
    const env = peerEnv(t, peer, nativePlacement(layout));
    expect(env.FABRIC_LOGGING_SPEC).to.equal(PEER_LOGGING);
    expect(env.CORE_CHAINCODE_LOGGING_LEVEL).to.equal(DEFAULT_NODE_SETTINGS.chaincodeLogging);
    const orderer = t.orgs[0]?.orderers[0] as OrdererNode;
    expect(ordererEnv(t, orderer, nativePlacement(layout))).to.include({ ORDERER_GENERAL_PROFILE_ENABLED: 'false' });
    expect(coreYaml(t, peer).peer).to.have.nested.property('profile.enabled', false);
  });

  it('pins the four keys of Fabric 3.1 that make peers take blocks from the ordering service, not gossip', () => {
    const t = topologyWith();
    const peer = coreYaml(t, t.orgs[1]?.peers[0] as PeerNode).peer ?? {};
    expect(peer).to.have.nested.property('gossip.orgLeader', true);
    expect(peer).to.have.nested.property('gossip.useLeaderElection', false);
    expect(peer).to.have.nested.property('gossip.state.enabled', false);
    expect(peer).to.have.nested.property('deliveryclient.blockGossipEnabled', false);
    expect(peer.validatorPoolSize, 'empty: one validator per CPU').to.equal(null);
  });

  it("sets the peer's block censorship timeout in core.yaml and in the environment Compose passes on", () => {
    for (const [nodes, expected] of [
      [undefined, '10s'],
      [{ blockCensorshipTimeout: '4s' }, '4s'],
    ] as const) {
      const t = topologyWith(nodes);
      const peer = t.orgs[2]?.peers[0] as PeerNode;
      expect(coreYaml(t, peer).peer).to.have.nested.property('deliveryclient.blockCensorshipTimeoutKey', expected);
      expect(peerEnv(t, peer, nativePlacement(layout))).to.include({
        CORE_PEER_DELIVERYCLIENT_BLOCKCENSORSHIPTIMEOUTKEY: expected,
      });
    }
    expect(() => topologyWith({ blockCensorshipTimeout: '10' })).to.throw(/nodes\.blockCensorshipTimeout/);
  });

  it("hands the chaincode log level to the chaincode processes through the builder's environment", () => {
    const t = topologyWith({ chaincodeLogging: 'error' });
    const peer = t.orgs[0]?.peers[0] as PeerNode;
    const chaincode = coreYaml(t, peer).chaincode as { externalBuilders: Array<{ propagateEnvironment: string[] }> };
    expect(chaincode.externalBuilders[0]?.propagateEnvironment).to.include.members([
      'CORE_CHAINCODE_LOGGING_LEVEL',
      'CORE_CHAINCODE_LOGGING_SHIM',
    ]);
    expect(peerEnv(t, peer, nativePlacement(layout))).to.include({
      CORE_CHAINCODE_LOGGING_LEVEL: 'error',
      CORE_CHAINCODE_LOGGING_SHIM: 'error',
    });
  });

  it("binds pprof, when enabled, to the node's own listen address on the port after its operations port", () => {
    const t = topologyWith({ profile: true, gogc: 400, validatorPoolSize: 3, ordererLogging: 'warning' });
    const placement = nativePlacement(layout);
    for (const org of t.orgs) {
      const peer = org.peers[0] as PeerNode;
      const orderer = org.orderers[0] as OrdererNode;
      const taken = [...portsOf(peer), ...portsOf(orderer)].map((p) => p.port);
      expect(taken, 'no port of the node itself').not.to.include(profilePort(peer));
      expect(taken).not.to.include(profilePort(orderer));
      const core = coreYaml(t, peer).peer ?? {};
      expect(core).to.have.nested.property('profile.listenAddress', `127.0.0.1:${peer.operationsPort + 1}`);
      expect(core.validatorPoolSize).to.equal(3);
      expect(peerEnv(t, peer, placement).GOGC).to.equal('400');
      expect(ordererEnv(t, orderer, placement)).to.include({
        ORDERER_GENERAL_PROFILE_ENABLED: 'true',
        ORDERER_GENERAL_PROFILE_ADDRESS: `127.0.0.1:${orderer.operationsPort + 1}`,
        FABRIC_LOGGING_SPEC: 'warning',
        GOGC: '400',
      });
    }
  });

  it('refuses unknown settings and out-of-range values with the path in the message', () => {
    expect(() => topologyWith({ gogc: 5 })).to.throw(/nodes\.gogc/);
    expect(() => topologyWith({ blockGossip: true })).to.throw(/nodes/);
  });
});
