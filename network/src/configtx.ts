import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { NetworkContext } from './context';
import type { Placement } from './node-env';
import { activeOrderers, orgOf, regulatorOf, type Org, type Topology } from './topology';

type Policy = { Type: 'Signature' | 'ImplicitMeta'; Rule: string };

const sig = (rule: string): Policy => ({ Type: 'Signature', Rule: rule });
const meta = (rule: string): Policy => ({ Type: 'ImplicitMeta', Rule: rule });
const principals = (orgs: readonly Org[], role: string) => orgs.map((o) => `'${o.mspId}.${role}'`).join(', ');

/**
 * The admins policy of a channel where the regulator must sign: the regulator's admin AND a majority of
 * all member orgs' admins. Fabric uses each signature once within one evaluation, so the regulator's
 * signature, taken by the AND, does not count toward the majority: it must come from the other members
 * (with four orgs, all of them sign). See docs/network.md, "Adding an operator".
 */
export function regulatorMustSignRule(t: Topology, orgs: readonly Org[]): string {
  const regulator = regulatorOf(t);
  const majority = Math.floor(orgs.length / 2) + 1;
  return `AND('${regulator.mspId}.admin', OutOf(${majority}, ${principals(orgs, 'admin')}))`;
}

/**
 * Who must approve a chaincode definition before it can be committed (the channel's LifecycleEndorsement):
 * a majority of the member orgs, the regulator among them. Each approving org's peer endorses the commit,
 * and Fabric counts each endorsement once, so the rule is the regulator's peer AND the rest of the
 * majority from the others. See decision 38 in docs/architecture.md.
 */
export function lifecycleEndorsementRule(t: Topology, orgs: readonly Org[]): string {
  const regulator = regulatorOf(t);
  const others = orgs.filter((o) => o.mspId !== regulator.mspId);
  const needed = Math.floor(orgs.length / 2);
  if (others.length === 0 || needed === 0) return `OR('${regulator.mspId}.peer')`;
  return `AND('${regulator.mspId}.peer', OutOf(${needed}, ${principals(others, 'peer')}))`;
}

export function orgDefinition(t: Topology, org: Org, p: Placement) {
  const ordererEndpoints = activeOrderers(t)
    .filter((o) => o.org === org.name)
    .map((o) => p.address(o, o.port));
  const anchor = org.peers[0];
  return {
    Name: org.mspId,
    ID: org.mspId,
    MSPDir: p.crypto(org, 'msp'),
    Policies: {
      Readers: sig(
        `OR(${principals([org], 'admin')}, ${principals([org], 'peer')}, ${principals([org], 'client')}, ${principals([org], 'orderer')})`,
      ),
      Writers: sig(
        `OR(${principals([org], 'admin')}, ${principals([org], 'client')}, ${principals([org], 'orderer')})`,
      ),
      Admins: sig(`OR(${principals([org], 'admin')})`),
      Endorsement: sig(`OR(${principals([org], 'peer')})`),
    },
    ...(ordererEndpoints.length > 0 ? { OrdererEndpoints: ordererEndpoints } : {}),
    // Anchor peers let gossip cross org boundaries: private data dissemination and discovery need it.
    ...(anchor ? { AnchorPeers: [{ Host: p.address(anchor, anchor.port).split(':')[0], Port: anchor.port }] } : {}),
  };
}

/** configtx.yaml with one profile per channel, for configtxgen to write each channel's genesis block. */
export function configtx(t: Topology, p: Placement): Record<string, unknown> {
  const orderers = activeOrderers(t);
  const ordererOrgs = t.orgs.filter((o) => orderers.some((n) => n.org === o.name));
  const consenterCert = (nodeOrg: Org, name: string, file: string) => p.crypto(nodeOrg, `identities/${name}/${file}`);

  const ordererSection = (strict: boolean) => ({
    OrdererType: t.consensus === 'bft' ? 'BFT' : 'etcdraft',
    BatchTimeout: t.ordering.batchTimeout,
    BatchSize: {
      MaxMessageCount: t.ordering.maxMessageCount,
      AbsoluteMaxBytes: '10 MB',
      PreferredMaxBytes: t.ordering.preferredMaxBytes,
    },
    Organizations: ordererOrgs.map((o) => orgDefinition(t, o, p)),
    Policies: {
      Readers: meta('ANY Readers'),
      Writers: meta('ANY Writers'),
      Admins: strict ? sig(regulatorMustSignRule(t, ordererOrgs)) : meta('MAJORITY Admins'),
      BlockValidation: meta('ANY Writers'),
    },
    Capabilities: { V2_0: true },
    ...(t.consensus === 'bft'
      ? {
          SmartBFT: {
            RequestBatchMaxCount: t.ordering.smartBFT.requestBatchMaxCount,
            RequestBatchMaxInterval: t.ordering.smartBFT.requestBatchMaxInterval,
            RequestBatchMaxBytes: 10485760,
            RequestForwardTimeout: t.ordering.smartBFT.requestForwardTimeout,
            RequestComplainTimeout: t.ordering.smartBFT.requestComplainTimeout,
            RequestAutoRemoveTimeout: '3m',
            ViewChangeResendInterval: t.ordering.smartBFT.viewChangeResendInterval,
            ViewChangeTimeout: t.ordering.smartBFT.viewChangeTimeout,
            LeaderHeartbeatTimeout: t.ordering.smartBFT.leaderHeartbeatTimeout,
            // The orderer checks heartbeats once a second, so more than one per second buys nothing.
            LeaderHeartbeatCount: 10,
            CollectTimeout: '1s',
            IncomingMessageBufferSize: 200,
            RequestPoolSize: 100000,
          },
          ConsenterMapping: orderers.map((o) => {
            const org = orgOf(t, o.org);
            const addr = p.address(o, o.port);
            return {
              ID: o.consenterId,
              Host: addr.split(':')[0],
              Port: o.port,
              MSPID: org.mspId,
              Identity: consenterCert(org, o.name, 'msp/signcerts/cert.pem'),
              ClientTLSCert: consenterCert(org, o.name, 'tls/server.crt'),
              ServerTLSCert: consenterCert(org, o.name, 'tls/server.crt'),
            };
          }),
        }
      : {
          EtcdRaft: {
            Consenters: orderers.map((o) => {
              const org = orgOf(t, o.org);
              return {
                Host: p.address(o, o.port).split(':')[0],
                Port: o.port,
                ClientTLSCert: consenterCert(org, o.name, 'tls/server.crt'),
                ServerTLSCert: consenterCert(org, o.name, 'tls/server.crt'),
              };
            }),
          },
        }),
  });

  const profiles: Record<string, unknown> = {};
  for (const channel of t.channels) {
    const strict = channel.regulatorMustSign;
    const admins = strict ? sig(regulatorMustSignRule(t, t.orgs)) : meta('MAJORITY Admins');
    profiles[profileName(channel.name)] = {
      Policies: { Readers: meta('ANY Readers'), Writers: meta('ANY Writers'), Admins: admins },
      Capabilities: { V3_0: true },
      Orderer: ordererSection(strict),
      Application: {
        Organizations: t.orgs.map((o) => orgDefinition(t, o, p)),
        Policies: {
          Readers: meta('ANY Readers'),
          Writers: meta('ANY Writers'),
          Admins: admins,
          LifecycleEndorsement: sig(lifecycleEndorsementRule(t, t.orgs)),
          Endorsement: meta('MAJORITY Endorsement'),
        },
        Capabilities: { V2_5: true },
      },
    };
  }
  return { Profiles: profiles };
}

export function profileName(channel: string): string {
  return `Channel_${channel.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Writes configtx.yaml for configtxgen and returns the folder to use as its FABRIC_CFG_PATH. */
export function writeConfigtx(ctx: NetworkContext): string {
  const dir = join(ctx.layout.generated, 'configtx');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'configtx.yaml'), stringify(configtx(ctx.topology, ctx.placement), { lineWidth: 0 }));
  return dir;
}
