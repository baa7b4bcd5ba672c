import { operatorCollection } from '@ecf/common';
import type { Topology } from './topology';

export interface CollectionConfig {
  name: string;
  policy: string;
  requiredPeerCount: number;
  maxPeerCount: number;
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
  endorsementPolicy: { signaturePolicy: string };
}

/**
 * One collection per operator. Members: the operator, its trustee and the regulator — the only orgs whose
 * peers ever receive the data, so a competitor's peer cannot read it whatever the chaincode does.
 * Member-only reads and writes: only clients of those orgs may touch it.
 * Writes are endorsed by the owner side: the operator's peer or its trustee's (the custodian settles
 * cross-operator movements and mints into customers' accounts). The collection-level policy replaces the
 * chaincode-level one for these keys, so no other org can write them.
 * requiredPeerCount 1: an endorsement succeeds only once the data reached a second member peer, so one
 * peer's loss never loses private data; maxPeerCount pushes it to every other member at once.
 */
export function perOperatorCollections(t: Topology): CollectionConfig[] {
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  return t.orgs
    .filter((o) => o.role === 'operator')
    .map((op) => {
      const trustee = t.orgs.find((o) => o.name === op.trustee);
      const members = [op, trustee, regulator].filter((o): o is NonNullable<typeof o> => o !== undefined);
      return {
        name: operatorCollection(op.mspId),
        policy: `OR(${members.map((m) => `'${m.mspId}.member'`).join(', ')})`,
        requiredPeerCount: 1,
        maxPeerCount: members.length - 1,
        blockToLive: 0,
        memberOnlyRead: true,
        memberOnlyWrite: true,
        endorsementPolicy: { signaturePolicy: `OR('${op.mspId}.peer', '${trustee?.mspId ?? op.mspId}.peer')` },
      };
    });
}
