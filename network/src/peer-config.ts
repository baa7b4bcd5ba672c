import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { NetworkContext } from './context';
import { REPO_ROOT } from './layout';
import type { PeerNode } from './topology';

/** The external builder that runs Node.js chaincode as a plain process: no Docker anywhere. */
export const NODE_BUILDER_DIR = join(REPO_ROOT, 'network', 'builders', 'node');
export const NODE_BUILDER_TYPE = 'ecf-node';

/**
 * Writes a peer's core.yaml: the defaults that came with the binaries plus our external builder (a list,
 * which environment variables cannot express). Everything else is set through CORE_* variables.
 */
export function writePeerConfig(ctx: NetworkContext, peer: PeerNode): string {
  const doc = parseDocument(readFileSync(join(ctx.fabricConfig, 'core.yaml'), 'utf8'));
  doc.setIn(
    ['chaincode', 'externalBuilders'],
    [{ name: NODE_BUILDER_TYPE, path: NODE_BUILDER_DIR, propagateEnvironment: ['PATH', 'HOME', 'NODE_OPTIONS'] }],
  );
  if (ctx.topology.keys === 'hsm') {
    // The peer reads CORE_PEER_BCCSP_PKCS11_* only for keys its core.yaml gives a value; the defaults leave
    // them empty (null), so the variables (the PIN among them) would be ignored and the peer would fall
    // back to the software BCCSP (decision 45).
    for (const key of ['Library', 'Label', 'Pin']) doc.setIn(['peer', 'BCCSP', 'PKCS11', key], '');
    doc.setIn(['peer', 'BCCSP', 'PKCS11', 'Hash'], 'SHA2');
    doc.setIn(['peer', 'BCCSP', 'PKCS11', 'Security'], 256);
  }
  const dir = ctx.layout.nodeConfig(peer.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'core.yaml'), doc.toString());
  return dir;
}
