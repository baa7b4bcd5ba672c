import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../layout';
import { buildTopology, type Topology } from '../topology';

/** The repository's topology with OperatorC added under the existing trustee (no ordering node); `edit` changes the raw entry set. */
export function withOperatorC(edit: (raw: Record<string, unknown>) => void = () => undefined): Topology {
  const raw = parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as Record<string, unknown>;
  (raw.orgs as unknown[]).push({
    name: 'OperatorC',
    mspId: 'OperatorCMSP',
    role: 'operator',
    trustee: 'Trustee',
    portBase: 7400,
    peers: 1,
    orderers: 0,
  });
  edit(raw);
  return buildTopology(raw);
}

/**
 * The repository's topology with a second trustee, Trustee2 (one ordering node), and OperatorD under it,
 * both named in the audit chaincode's OR; `marketPolicy` is the market chaincode's endorsement policy.
 */
export function withTrustee2(marketPolicy: string, consensus?: 'bft' | 'raft'): Topology {
  const raw = parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as Record<string, unknown>;
  (raw.orgs as unknown[]).push(
    { name: 'Trustee2', mspId: 'Trustee2MSP', role: 'trustee', portBase: 7500, peers: 1, orderers: 1 },
    {
      name: 'OperatorD',
      mspId: 'OperatorDMSP',
      role: 'operator',
      trustee: 'Trustee2',
      portBase: 7600,
      peers: 1,
      orderers: 0,
    },
  );
  for (const cc of raw.chaincodes as Array<{ name: string; endorsementPolicy: string }>) {
    if (cc.name === 'market') cc.endorsementPolicy = marketPolicy;
    if (cc.name === 'audit')
      cc.endorsementPolicy = cc.endorsementPolicy.replace(/\)\)$/, ", 'Trustee2MSP.peer', 'OperatorDMSP.peer'))");
  }
  return buildTopology(raw, consensus ? { consensus } : {});
}
