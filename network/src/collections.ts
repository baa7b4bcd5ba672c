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

/** The private data collection that holds one operator's customers' records. */
export function operatorCollectionName(operatorOrg: string): string {
  return `pdc${operatorOrg}`;
}

/**
 * One collection per operator. Members: the operator, its trustee and the regulator (the only orgs whose
 * peers ever receive the data). Writes need the operator's own peer: the collection-level endorsement
 * policy replaces the chaincode-level one for these keys, so no other org can write them.
 * requiredPeerCount 0 keeps an operator able to transact while its trustee's or regulator's peer is down;
 * gossip still pushes to up to maxPeerCount member peers at endorsement and reconciliation fills gaps.
 */
export function perOperatorCollections(t: Topology): CollectionConfig[] {
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  return t.orgs
    .filter((o) => o.role === 'operator')
    .map((op) => {
      const trustee = t.orgs.find((o) => o.name === op.trustee);
      const members = [op, trustee, regulator].filter((o): o is NonNullable<typeof o> => o !== undefined);
      return {
        name: operatorCollectionName(op.name),
        policy: `OR(${members.map((m) => `'${m.mspId}.member'`).join(', ')})`,
        requiredPeerCount: 0,
        maxPeerCount: members.length,
        blockToLive: 0,
        memberOnlyRead: true,
        memberOnlyWrite: true,
        endorsementPolicy: { signaturePolicy: `OR('${op.mspId}.peer')` },
      };
    });
}
