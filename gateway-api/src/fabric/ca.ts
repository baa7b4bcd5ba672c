import FabricCAServices from 'fabric-ca-client';
import type { User } from 'fabric-common';
import { randomBytes, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { certificateAttributes } from '../auth/certificate';
import type { IdentityWallet } from './wallet';
import { FabricFailure, type CaPort, type EnrollmentRequest, type IdentityLabel } from './types';

export interface CaEndpoint {
  /** https://127.0.0.1:port */
  readonly url: string;
  /** The CA's name (FABRIC_CA_SERVER_CA_NAME). */
  readonly caName: string;
  readonly tlsRootCert: string;
}

/**
 * The org's enrollment CA through fabric-ca-client, acting as the org admin (the registrar, which may
 * register client identities with any attribute and revoke them).
 */
export class FabricCa implements CaPort {
  private readonly ca: FabricCAServices;

  constructor(
    private readonly endpoint: CaEndpoint,
    private readonly wallet: IdentityWallet,
    private readonly registrarLabel: IdentityLabel,
  ) {
    this.ca = new FabricCAServices(
      endpoint.url,
      { trustedRoots: [endpoint.tlsRootCert], verify: true },
      endpoint.caName,
    );
  }

  async registerAndEnroll(req: EnrollmentRequest): Promise<{ label: IdentityLabel; certificate: string }> {
    const registrar = await this.user(this.registrarLabel);
    // A fresh one-time secret each time: if an earlier attempt registered the id and died before the
    // wallet held the key, the registration is re-keyed instead of failing as "already registered".
    const secret = randomBytes(18).toString('base64url');
    const attrs = Object.entries(req.attributes).map(([name, value]) => ({ name, value, ecert: true }));
    try {
      await this.call(() =>
        this.ca.register(
          {
            enrollmentID: req.enrollmentId,
            enrollmentSecret: secret,
            role: 'client',
            affiliation: '',
            maxEnrollments: -1,
            attrs,
          },
          registrar,
        ),
      );
    } catch (err) {
      if (!/already registered/i.test((err as Error).message)) throw err;
      await this.call(() =>
        this.ca
          .newIdentityService()
          .update(
            req.enrollmentId,
            { enrollmentID: req.enrollmentId, affiliation: '', enrollmentSecret: secret, attrs, maxEnrollments: -1 },
            registrar,
          ),
      );
    }
    const enrollment = await this.call(() =>
      this.ca.enroll({ enrollmentID: req.enrollmentId, enrollmentSecret: secret }),
    );
    await this.wallet.put(req.enrollmentId, enrollment.certificate, enrollment.key.toBytes());
    return { label: req.enrollmentId, certificate: enrollment.certificate };
  }

  async reenroll(label: IdentityLabel): Promise<{ certificate: string; notAfter: string }> {
    const user = await this.user(label);
    // Without attribute requests a re-enrolled certificate would lose `role` and `account`.
    const current = (await this.wallet.get(label)).credentials.certificate;
    const attrReqs = Object.keys(certificateAttributes(current))
      .filter((name) => !name.startsWith('hf.'))
      .map((name) => ({ name, optional: false }));
    const enrollment = await this.call(() => this.ca.reenroll(user, attrReqs));
    await this.wallet.put(label, enrollment.certificate, enrollment.key.toBytes());
    return { certificate: enrollment.certificate, notAfter: new X509Certificate(enrollment.certificate).validTo };
  }

  async revoke(label: IdentityLabel, reason: string): Promise<void> {
    const registrar = await this.user(this.registrarLabel);
    await this.call(() =>
      this.ca.revoke({ enrollmentID: label, reason, gencrl: true } as FabricCAServices.IRevokeRequest, registrar),
    );
    await this.wallet.remove(label);
  }

  /** GET /cainfo over TLS: proves the CA is up and its certificate chains to the org's TLS root. */
  ping(deadline: number): Promise<void> {
    const url = new URL('/cainfo', this.endpoint.url);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { ca: this.endpoint.tlsRootCert, timeout: Math.max(1, deadline - Date.now()) },
        (res) => {
          res.resume();
          if (res.statusCode === 200) resolve();
          else reject(new FabricFailure('unavailable', `CA answered ${res.statusCode}`));
        },
      );
      req.on('timeout', () => req.destroy(new FabricFailure('timeout', 'CA did not answer in time')));
      req.on('error', (err) =>
        reject(err instanceof FabricFailure ? err : new FabricFailure('unavailable', `CA unreachable: ${err.message}`)),
      );
      req.end();
    });
  }

  private async user(label: IdentityLabel): Promise<User> {
    return this.wallet.userContext(label);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = (err as Error).message;
      if (/ECONNREFUSED|ETIMEDOUT|socket hang up|ENOTFOUND/.test(message)) {
        throw new FabricFailure('unavailable', `CA unreachable: ${message}`);
      }
      throw err;
    }
  }
}
