import { z } from 'zod';
import { amountSchema, idSchema } from './schemas';

/**
 * A legacy register of members brought onto the ledger as a class's opening issuance (decision 47). The
 * trustee's client splits the register into batches; each line keeps its number in the register, so a
 * rerun of any batch finds the lines it already imported and changes nothing.
 */

/** The most lines one `Equity:ImportRegister` transaction takes. */
export const REGISTER_BATCH_MAX = 200;

export const registerLineSchema = z
  .object({
    line: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .describe("The line's number in the register file (1 = the first line after the header); unique per register."),
    accountId: idSchema.describe("The holder's account on the market: it must be onboarded already, with valid KYC."),
    units: amountSchema.describe("Units the holder owns, in the class's smallest unit (decimal string)."),
  })
  .strict();
export type RegisterLine = z.infer<typeof registerLineSchema>;

export const importRegisterSchema = z
  .object({
    registerId: idSchema.describe(
      'The register being imported, named by the trustee (no personal data): one register opens one class.',
    ),
    classId: idSchema.describe('The share class the register opens, created by the calling trustee.'),
    lines: z
      .array(registerLineSchema)
      .min(1)
      .max(REGISTER_BATCH_MAX)
      .describe(`Up to ${REGISTER_BATCH_MAX} lines of the register, each issued once.`),
  })
  .strict()
  .refine((r) => new Set(r.lines.map((l) => l.line)).size === r.lines.length, {
    message: 'a line number appears twice',
    path: ['lines'],
  });
export type ImportRegister = z.infer<typeof importRegisterSchema>;

export interface ImportRegisterResult {
  registerId: string;
  classId: string;
  /** Lines issued by this transaction. */
  imported: number;
  /** Lines an earlier transaction had issued with the same content: left as they were. */
  alreadyImported: number;
}

/** The public record of the register a class was opened from (`regimport`/class): no holder, no units. */
export interface RegisterImportRecord {
  v: number;
  classId: string;
  registerId: string;
  /** The transaction of the first batch, and its time. */
  txId: string;
  openedAt: number;
}

/** Why a register import is refused, beyond the compliance codes of an issue. */
export const RegisterRefusal = {
  /** Holders with no account on the market: the message lists every one of them. */
  UNKNOWN_HOLDERS: 'UNKNOWN_HOLDERS',
} as const;
