import { Role } from '@ecf/common';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError, GatewayCode } from '../problem';
import { ALL_SCOPES, Scope, type Authenticator, type Principal } from './principal';

const tokenRecordSchema = z
  .object({
    id: z.string(),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    identity: z.string(),
    role: z.nativeEnum(Role),
    accountId: z.string().optional(),
    scopes: z.array(z.nativeEnum(Scope)),
    description: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    /** The credential that issued it through the API (absent: made with the CLI). */
    issuedBy: z.string().optional(),
  })
  .strict();
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

const PREFIX = 'ecf_';

/** Parsed token files kept in memory at most (a bound, so a flood of valid tokens cannot grow it). */
const CACHE_LIMIT = 10_000;

/** What identifies one version of a token file: a rewrite (always a rename) changes the inode. */
interface FileVersion {
  readonly ino: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly size: number;
}

/**
 * API tokens, stored only as SHA-256 hashes (one file per token, named by its hash, so a lookup is one
 * read and the admin CLI and the running gateway share the store without coordination). A token is
 * shown once, when created.
 *
 * With the cache on (decision 62), a request costs one `stat` of the token's file instead of a read and
 * a parse: the parsed record is reused while the file's inode, times and size are unchanged. The file
 * is still consulted on every request, so a revocation by the CLI (the file removed) or a rewrite is
 * seen by the very next request, as without the cache. Expiry is checked against the clock each time.
 */
export class TokenStore implements Authenticator {
  private readonly cache = new Map<string, { version: FileVersion; record: TokenRecord }>();

  constructor(
    private readonly dir: string,
    private readonly options: { cache?: boolean } = {},
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  create(input: {
    identity: string;
    role: Role;
    accountId?: string;
    scopes?: readonly Scope[];
    description?: string;
    expiresAt?: Date;
    issuedBy?: string;
  }): { token: string; record: TokenRecord } {
    const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    const hash = sha256(token);
    const record: TokenRecord = {
      id: hash.slice(0, 12),
      hash,
      identity: input.identity,
      role: input.role,
      ...(input.accountId ? { accountId: input.accountId } : {}),
      scopes: [...(input.scopes ?? ALL_SCOPES)],
      description: input.description ?? '',
      createdAt: new Date().toISOString(),
      ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
      ...(input.issuedBy ? { issuedBy: input.issuedBy } : {}),
    };
    const file = join(this.dir, `${hash}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return { token, record };
  }

  list(): TokenRecord[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => tokenRecordSchema.parse(JSON.parse(readFileSync(join(this.dir, f), 'utf8'))));
  }

  /** Removes tokens by id (or every token bound to an identity); returns how many went. */
  revoke(match: { id?: string; identity?: string }): number {
    let n = 0;
    for (const record of this.list()) {
      if ((match.id && record.id === match.id) || (match.identity && record.identity === match.identity)) {
        rmSync(join(this.dir, `${record.hash}.json`), { force: true });
        n++;
      }
    }
    return n;
  }

  async authenticate(authorization: string): Promise<Principal | undefined> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m?.[1]?.startsWith(PREFIX)) return undefined;
    const hash = sha256(m[1]);
    const record = this.options.cache === false ? this.readRecord(hash) : this.cachedRecord(hash);
    if (record.expiresAt && Date.parse(record.expiresAt) <= Date.now()) {
      // Said plainly (RFC 6750's invalid_token), so a client knows to ask its operator for a new one
      // rather than retry; the token stays listed, marked expired, until it is revoked.
      throw new ApiError(GatewayCode.UNAUTHENTICATED, `the token expired at ${record.expiresAt}`, {
        reason: 'TOKEN_EXPIRED',
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="the token has expired"' },
      });
    }
    return {
      credentialId: record.id,
      identity: record.identity,
      role: record.role,
      ...(record.accountId ? { accountId: record.accountId } : {}),
      scopes: record.scopes,
    };
  }

  private readRecord(hash: string): TokenRecord {
    try {
      return tokenRecordSchema.parse(JSON.parse(readFileSync(join(this.dir, `${hash}.json`), 'utf8')));
    } catch {
      throw new ApiError(GatewayCode.UNAUTHENTICATED, 'unknown or revoked token');
    }
  }

  private cachedRecord(hash: string): TokenRecord {
    const file = join(this.dir, `${hash}.json`);
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (!stat) {
      this.cache.delete(hash);
      throw new ApiError(GatewayCode.UNAUTHENTICATED, 'unknown or revoked token');
    }
    const version: FileVersion = {
      ino: Number(stat.ino),
      mtimeNs: stat.mtimeNs,
      ctimeNs: stat.ctimeNs,
      size: Number(stat.size),
    };
    const hit = this.cache.get(hash);
    if (hit && sameVersion(hit.version, version)) return hit.record;
    this.cache.delete(hash);
    const record = this.readRecord(hash);
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(hash, { version, record });
    return record;
  }
}

function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.size === b.size;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
