import * as grpc from '@grpc/grpc-js';
import { connect, signers, type Gateway, type Identity, type Signer } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hsmEnabled, hsmSigner } from './hsm';
import type { Layout } from './layout';
import type { Placement } from './node-env';
import type { Org, PeerNode } from './topology';

export interface OrgConnection {
  readonly gateway: Gateway;
  readonly client: grpc.Client;
  close(): void;
}

/**
 * Loads an enrolled identity (msp/signcerts/cert.pem) as fabric-gateway expects it: signing with
 * msp/keystore/key.pem, or, when the key was generated in the org's PKCS#11 token (no key file), through
 * fabric-gateway's HSM signer. `close` ends the HSM session.
 */
export function loadIdentity(
  layout: Layout,
  org: Org,
  name: string,
): { identity: Identity; signer: Signer; close(): void } {
  const msp = join(layout.identity(org.slug, name), 'msp');
  const credentials = readFileSync(join(msp, 'signcerts', 'cert.pem'));
  const identity = { mspId: org.mspId, credentials };
  const keyFile = join(msp, 'keystore', 'key.pem');
  if (!existsSync(keyFile) && hsmEnabled(layout)) return { identity, ...hsmSigner(layout, org, credentials) };
  return { identity, signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(keyFile))), close: () => {} };
}

/**
 * The text of a fabric-gateway error including the peers' own messages, which it keeps apart in `details`
 * (where the chaincode's error codes are): for logs and for matching codes.
 */
export function gatewayErrorText(err: unknown): string {
  const e = err as { message?: string; details?: Array<{ message?: string }> };
  return [e.message ?? String(err), ...(e.details ?? []).map((d) => d.message ?? '')].join(' | ');
}

/** A fabric-gateway connection to one peer as one of its org's identities. */
export function connectTo(
  layout: Layout,
  org: Org,
  peer: PeerNode,
  identityName = 'gateway',
  placement?: Pick<Placement, 'address'>,
): OrgConnection {
  const tlsRoot = readFileSync(layout.tlsCaCert(org.slug));
  const address = placement ? placement.address(peer, peer.port) : `127.0.0.1:${peer.port}`;
  const client = new grpc.Client(address, grpc.credentials.createSsl(tlsRoot), {
    'grpc.ssl_target_name_override': peer.hostname,
  });
  const { identity, signer, close: closeSigner } = loadIdentity(layout, org, identityName);
  const gateway = connect({
    client,
    identity,
    signer,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 15_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    client,
    close: () => {
      gateway.close();
      client.close();
      closeSigner();
    },
  };
}

/**
 * Proves the network can endorse and commit: each org submits System:Heartbeat through its own peer's
 * gateway. Right after start-up, discovery needs a few seconds of gossip before it can build an
 * endorsement plan, so failures are retried until the deadline.
 */
export async function waitUntilTransacting(
  layout: Layout,
  orgs: readonly Org[],
  channel: string,
  chaincode: string,
  timeoutMs = 90_000,
  placement?: Pick<Placement, 'address'>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const org of orgs) {
    const peer = org.peers[0];
    if (!peer) continue;
    for (;;) {
      const conn = connectTo(layout, org, peer, 'gateway', placement);
      try {
        await conn.gateway.getNetwork(channel).getContract(chaincode, 'System').submitTransaction('Heartbeat');
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`${org.name} could not commit a transaction on ${channel}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        conn.close();
      }
    }
  }
}
