import { auditCollection, INVESTOR_LIMITS_COLLECTION, operatorCollection } from '@ecf/common';
import type { Topology } from './topology';

export interface CollectionConfig {
  name: string;
  policy: string;
  requiredPeerCount: number;
  maxPeerCount: number;
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
  endorsementPolicy?: { signaturePolicy: string };
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
        ...memberOnly(
          operatorCollection(op.mspId),
          members.map((m) => m.mspId),
          1,
        ),
        endorsementPolicy: { signaturePolicy: `OR('${op.mspId}.peer', '${trustee?.mspId ?? op.mspId}.peer')` },
      };
    });
}

/**
 * The collection that held the cross-platform investor-limit counters until decision 49 moved the counting
 * into claims in the operators' own collections. Nothing writes it any more; it stays in every definition
 * because Fabric's lifecycle refuses one that drops a committed collection, so a network that had it can
 * still be upgraded. Members: the trustees and the regulator; no operator.
 */
export function investorLimitsCollections(t: Topology): CollectionConfig[] {
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  const trustees = t.orgs.filter((o) => o.role === 'trustee');
  if (!regulator || trustees.length === 0) return [];
  const members = [...trustees, regulator].map((o) => o.mspId);
  return [
    {
      name: INVESTOR_LIMITS_COLLECTION,
      policy: `OR(${members.map((m) => `'${m}.member'`).join(', ')})`,
      requiredPeerCount: 1,
      maxPeerCount: members.length - 1,
      blockToLive: 0,
      memberOnlyRead: false,
      memberOnlyWrite: false,
      endorsementPolicy: { signaturePolicy: `OR(${trustees.map((o) => `'${o.mspId}.peer'`).join(', ')})` },
    },
  ];
}

/**
 * The audit channel's collections: one per org other than the regulator (members: that org and the
 * regulator), holding the private part of the records that name the org as a party, and the regulator's
 * own (`auditRegulator`, the regulator alone), holding every record's. A competitor's peer never receives
 * another party's records.
 * No collection-level endorsement policy: the chaincode's (the regulator's peer and one other member's)
 * applies, so no single org writes the audit trail alone. The relay names the endorsers itself: the
 * regulator and a party of the record, so the private part reaches no org outside the record.
 * requiredPeerCount 0: the regulator's peer, which endorses every filing, always holds the part; a
 * party's peer that is down gets it by reconciliation, instead of stopping the regulator's filings.
 */
export function auditCollections(t: Topology): CollectionConfig[] {
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  if (!regulator) return [];
  return t.orgs.map((org) => {
    const members = org === regulator ? [regulator.mspId] : [regulator.mspId, org.mspId];
    return memberOnly(auditCollection(org.mspId), members, 0);
  });
}

/** A collection only its members' peers receive and only their clients read or write, kept for ever. */
function memberOnly(name: string, mspIds: readonly string[], requiredPeerCount: number): CollectionConfig {
  return {
    name,
    policy: `OR(${mspIds.map((m) => `'${m}.member'`).join(', ')})`,
    requiredPeerCount,
    maxPeerCount: mspIds.length - 1,
    blockToLive: 0,
    memberOnlyRead: true,
    memberOnlyWrite: true,
  };
}

/**
 * The collections of removed orgs. Fabric's lifecycle refuses a definition that drops a committed
 * collection or changes its blockToLive, and one whose member policy names an org outside the channel
 * (`core/chaincode/lifecycle/scc.go`). So each stays, with the removed org taken out of its members: an
 * operator's keeps its trustee and the regulator (which hold its purged history), its audit collection
 * the regulator alone. Nothing writes to them again.
 */
export function removedOrgCollections(t: Topology, kind: 'per-operator' | 'audit'): CollectionConfig[] {
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  if (!regulator) return [];
  return (t.removedOrgs ?? []).flatMap((org) => {
    if (kind === 'audit') return [memberOnly(auditCollection(org.mspId), [regulator.mspId], 0)];
    const trustee = t.orgs.find((o) => o.name === org.trustee) ?? regulator;
    const members = [...new Set([trustee.mspId, regulator.mspId])];
    return [
      {
        ...memberOnly(operatorCollection(org.mspId), members, 1),
        endorsementPolicy: { signaturePolicy: `OR('${trustee.mspId}.peer')` },
      },
    ];
  });
}

/** The collection configuration a chaincode's topology entry names. */
export function collectionsOf(t: Topology, kind: 'per-operator' | 'audit'): CollectionConfig[] {
  const live = kind === 'audit' ? auditCollections(t) : [...perOperatorCollections(t), ...investorLimitsCollections(t)];
  return [...live, ...removedOrgCollections(t, kind)];
}
