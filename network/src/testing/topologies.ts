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
