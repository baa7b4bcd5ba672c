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
