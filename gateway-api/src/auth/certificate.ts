import { Role } from '@ecf/common';
import { X509Certificate } from 'node:crypto';

/**
 * The attributes a Fabric CA put in an enrollment certificate (extension 1.2.3.4.5.6.7.8.1, a JSON
 * document {"attrs":{...}}). Node's X509Certificate does not expose private extensions, so the JSON is
 * located in the DER directly; its shape is checked before use.
 */
export function certificateAttributes(pem: string): Record<string, string> {
  const der = Buffer.from(new X509Certificate(pem).raw).toString('latin1');
  const start = der.indexOf('{"attrs":');
  if (start < 0) return {};
  let depth = 0;
  for (let i = start; i < der.length; i++) {
    if (der[i] === '{') depth++;
    else if (der[i] === '}' && --depth === 0) {
      const parsed = JSON.parse(der.slice(start, i + 1)) as { attrs?: Record<string, unknown> };
      return Object.fromEntries(
        Object.entries(parsed.attrs ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    }
  }
  return {};
}

/**
 * The certificate's serial number and authority key identifier, both lower-case hex: what a Fabric CA
 * needs to revoke this one certificate (and not every certificate of its enrollment id). Node exposes
 * the serial; the AKI extension (2.5.29.35) is read from the DER: OID, optional critical flag, then an
 * OCTET STRING holding SEQUENCE { [0] keyIdentifier }.
 */
export function certificateSerialAndAki(pem: string): { serial: string; aki: string } {
  const cert = new X509Certificate(pem);
  const der = Buffer.from(cert.raw);
  const oid = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x23]);
  let i = der.indexOf(oid);
  if (i < 0) throw new Error('the certificate has no authority key identifier');
  i += oid.length;
  if (der[i] === 0x01) i += 3; // BOOLEAN critical
  const octet = readTlv(der, i, 0x04);
  const seq = readTlv(der, octet.start, 0x30);
  const keyId = readTlv(der, seq.start, 0x80);
  return {
    serial: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    aki: der.subarray(keyId.start, keyId.end).toString('hex'),
  };
}

/** One DER tag-length-value at `at`, checked to carry `tag`; start and end of its value. */
function readTlv(der: Buffer, at: number, tag: number): { start: number; end: number } {
  if (der[at] !== tag) throw new Error(`unexpected DER tag at ${at}`);
  let len = der[at + 1] ?? 0;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + (der[start + k] ?? 0);
    start += n;
  }
  return { start, end: start + len };
}

/** The role and account a credential bound to this certificate acts as. */
export function roleOfCertificate(pem: string): { role: Role; accountId?: string } {
  const attrs = certificateAttributes(pem);
  const role = Object.values(Role).find((r) => r === attrs.role);
  if (!role) throw new Error('the certificate carries no valid role attribute');
  if (role === Role.INVESTOR || role === Role.ISSUER) {
    if (!attrs.account) throw new Error(`an ${role} certificate must carry an account attribute`);
    return { role, accountId: attrs.account };
  }
  return { role };
}
