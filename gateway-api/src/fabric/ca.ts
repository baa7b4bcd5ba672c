import FabricCAServices from 'fabric-ca-client';
import { withoutKeepAlive } from './ca-transport';
import type { User } from 'fabric-common';
import { randomBytes, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { certificateAttributes, certificateSerialAndAki } from '../auth/certificate';
import { UndoLog } from './undo';
import type { IdentityWallet } from './wallet';
import {
  FabricFailure,
  sanitiseCause,
  type CaPort,
  type Enrollment,
  type EnrollmentRequest,
  type IdentityLabel,
} from './types';

/** A registration as the CA's identities API returns it (the fields an undo puts back). */
interface RegisteredIdentity {
  readonly affiliation?: string;
  readonly attrs?: Array<{ name: string; value: string; ecert?: boolean }>;
  readonly max_enrollments?: number;
}

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
    this.ca = withoutKeepAlive(
      // With the org's keys in its token, enrollments generate their keys there (decision 45).
      new FabricCAServices(
        endpoint.url,
        { trustedRoots: [endpoint.tlsRootCert], verify: true },
        endpoint.caName,
        wallet.cryptoSuite(),
      ),
    );
  }

  async registerAndEnroll(req: EnrollmentRequest): Promise<Enrollment> {
    const label = req.enrollmentId;
    const undo = new UndoLog();
    try {
      const registrar = await this.user(this.registrarLabel);
      // A fresh one-time secret each time: if an earlier attempt registered the id and died before the
      // wallet held the key, the registration is re-keyed instead of failing as "already registered".
      const secret = randomBytes(18).toString('base64url');
      const attrs = Object.entries(req.attributes).map(([name, value]) => ({ name, value, ecert: true }));
      const identities = this.ca.newIdentityService();
      try {
        await this.call(() =>
          this.ca.register(
            {
              enrollmentID: label,
              enrollmentSecret: secret,
              role: 'client',
              affiliation: '',
              maxEnrollments: -1,
              attrs,
            },
            registrar,
          ),
        );
        undo.push('remove the new CA registration', () => this.removeRegistration(label, registrar));
      } catch (err) {
        if (!/already registered/i.test((err as Error).message)) throw err;
        const previous = await this.call(() => identities.getOne(label, registrar));
        const before = (previous as { result?: RegisteredIdentity }).result;
        await this.call(() =>
          identities.update(
            label,
            { enrollmentID: label, affiliation: '', enrollmentSecret: secret, attrs, maxEnrollments: -1 },
            registrar,
          ),
        );
        // The secret cannot be put back, and need not be: the previous certificate stays valid and
        // renews by re-enrolment, which needs no secret. The attributes are what a refused request changed.
        if (before) {
          undo.push('restore the CA registration', async () => {
            await this.call(() =>
              identities.update(
                label,
                {
                  enrollmentID: label,
                  affiliation: before.affiliation ?? '',
                  // The CA sets its hf.* attributes itself and merges the rest: putting back the
                  // application attributes (`role`, `account`) restores what this request changed.
                  attrs: (before.attrs ?? []).filter((a) => !a.name.startsWith('hf.')),
                  maxEnrollments: before.max_enrollments ?? -1,
                },
                registrar,
              ),
            );
          });
        }
      }
      const enrollment = await this.call(() => this.ca.enroll({ enrollmentID: label, enrollmentSecret: secret }));
      undo.push('revoke the new certificate', () => this.revokeCertificate(enrollment.certificate, registrar));
      const replaced = await this.wallet.snapshot(label);
      await this.wallet.putEnrollment(label, enrollment.certificate, enrollment.key);
      undo.push('restore the wallet entry', () => this.wallet.restore(label, replaced));
      return { label, certificate: enrollment.certificate, undo: () => undo.run() };
    } catch (err) {
      // Whatever failed, what this call already did is taken back before the failure is reported; a
      // failed undo is reported with it (the CA is then in a state an operator must look at).
      const undone = await undo.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      throw caFailure(err, undone);
    }
  }

  async reenroll(label: IdentityLabel): Promise<{ certificate: string; notAfter: string }> {
    const user = await this.user(label);
    // Without attribute requests a re-enrolled certificate would lose `role` and `account`.
    const current = (await this.wallet.get(label)).credentials.certificate;
    const attrReqs = Object.keys(certificateAttributes(current))
      .filter((name) => !name.startsWith('hf.'))
      .map((name) => ({ name, optional: false }));
    const enrollment = await this.call(() => this.ca.reenroll(user, attrReqs));
    await this.wallet.putEnrollment(label, enrollment.certificate, enrollment.key);
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

  /** Revokes one certificate (by serial and AKI), leaving the identity's other certificates valid. */
  private async revokeCertificate(certificate: string, registrar: User): Promise<void> {
    const { serial, aki } = certificateSerialAndAki(certificate);
    await this.call(() =>
      this.ca.revoke(
        { enrollmentID: '', serial, aki, reason: 'superseded', gencrl: true } as FabricCAServices.IRevokeRequest,
        registrar,
      ),
    );
  }

  /**
   * Removes a registration this gateway just made. A CA started without `cfg.identities.allowremove`
   * refuses; the registration then stays, harmless: its only certificate is revoked and its secret was
   * used once, and the next onboarding of the id re-keys it.
   */
  private async removeRegistration(label: IdentityLabel, registrar: User): Promise<void> {
    try {
      await this.call(() => this.ca.newIdentityService().delete(label, registrar));
    } catch (err) {
      if (!/removal is disabled|not allowed|allowremove/i.test((err as Error).message)) throw err;
    }
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

/**
 * A CA error as the HTTP layer maps it: unreachable stays `unavailable`; anything the CA answered with
 * (an id it refuses, a revoked identity, a CN too long) becomes `ca`, whose client-facing text names no
 * CA internals. The CA's own messages go to `cause`, for the gateway log.
 */
export function caFailure(err: unknown, undone?: unknown): FabricFailure {
  const undoNote = undone ? `; undo incomplete: ${(undone as Error).message}` : '';
  if (err instanceof FabricFailure) {
    if (!undoNote) return err;
    return new FabricFailure(err.kind, err.message, err.txId, err.validationCode, `${err.upstream ?? ''}${undoNote}`);
  }
  const text = (err as Error)?.message ?? String(err);
  // fabric-ca-client quotes the server's answer as JSON: [[{"code":74,"message":"…"}]].
  const said = [...text.matchAll(/"message":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('; ');
  const head = text.split(/ with errors| \[\[/)[0] ?? '';
  return new FabricFailure(
    'ca',
    undone
      ? "the org's certificate authority refused to register or enroll the identity, and the gateway could not take back every earlier step (an operator must check the CA and wallet)"
      : "the org's certificate authority refused to register or enroll the identity; nothing was changed",
    undefined,
    undefined,
    sanitiseCause(`${head}${said ? `: ${said}` : ''}${undoNote}`),
  );
}
