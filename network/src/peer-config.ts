import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { NetworkContext } from './context';
import { REPO_ROOT } from './layout';
import { hsmLibrary, orgToken } from './hsm';
import { orgOf, type PeerNode } from './topology';
import { DEFAULT_NODE_SETTINGS, peerCoreSettings } from './node-settings';

/** The external builder that runs Node.js chaincode as a plain process: no Docker anywhere. */
export const NODE_BUILDER_DIR = join(REPO_ROOT, 'network', 'builders', 'node');
export const NODE_BUILDER_TYPE = 'ecf-node';

/** What the chaincode processes inherit from their peer: Fabric passes nothing else to a builder. */
const BUILDER_ENVIRONMENT = [
  'PATH',
  'HOME',
  'NODE_OPTIONS',
  'CORE_CHAINCODE_LOGGING_LEVEL',
  'CORE_CHAINCODE_LOGGING_SHIM',
];

/**
 * Writes a peer's core.yaml: the defaults that came with the binaries plus our external builder (a list,
 * which environment variables cannot express) and the node settings of the topology (node-settings.ts).
 * Everything else is set through CORE_* variables.
 */
export function writePeerConfig(ctx: NetworkContext, peer: PeerNode): string {
  const doc = parseDocument(readFileSync(join(ctx.fabricConfig, 'core.yaml'), 'utf8'));
  doc.setIn(
    ['chaincode', 'externalBuilders'],
    [{ name: NODE_BUILDER_TYPE, path: NODE_BUILDER_DIR, propagateEnvironment: BUILDER_ENVIRONMENT }],
  );
  for (const [path, value] of peerCoreSettings(ctx.topology.nodes ?? DEFAULT_NODE_SETTINGS, peer, ctx.placement)) {
    doc.setIn(path, value);
  }
  if (ctx.topology.keys === 'hsm') {
    // Fabric 3.1's peer (and the peer CLI, which reads this file too) ignores CORE_PEER_BCCSP_* overrides,
    // so its PKCS#11 settings, the token PIN among them, are written here, readable by the owner only.
    const org = orgOf(ctx.topology, peer.org);
    const { label, pin } = orgToken(ctx.layout, org);
    doc.setIn(['peer', 'BCCSP', 'Default'], 'PKCS11');
    doc.setIn(['peer', 'BCCSP', 'PKCS11'], {
      Library: hsmLibrary(),
      Label: label,
      Pin: pin,
      Hash: 'SHA2',
      Security: 256,
    });
  }
  const dir = ctx.layout.nodeConfig(peer.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'core.yaml'), doc.toString(), { mode: 0o600 });
  return dir;
}
