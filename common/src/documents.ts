import { z } from 'zod';
import { epochSecondsSchema, idSchema, NO_CONTROL_CHARACTERS } from './schemas';

/**
 * Documents of a share class (decision 50): what was offered and under which law, as hashes the ledger
 * keeps, not as files. Public records: a class is public reference data, and a document names no person.
 * Shared by the chaincode (inputs, records) and the gateway (routes, response schemas).
 */
export const DocumentType = z.enum(['offering', 'articles', 'legal-opinion']);
export type DocumentType = z.infer<typeof DocumentType>;

/** Who vouches for a document: the issuer's operator, the class's trustee, or the regulator acknowledging it. */
export const AttesterRole = z.enum(['operator', 'trustee', 'regulator']);
export type AttesterRole = z.infer<typeof AttesterRole>;

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest: 64 lowercase hex digits');

/** The largest file `Documents:Verify` takes in one call: 3 MiB of bytes, 4 MiB of base64. */
export const MAX_VERIFY_BASE64 = 4 * 1024 * 1024;

const documentId = idSchema.describe('The document, by the id its attester chose (unique within the class).');
const classId = idSchema.describe('The share class the document belongs to.');

export const attachDocumentSchema = z
  .object({
    classId,
    documentId,
    type: DocumentType.describe(
      '`offering`: the offering document (a campaign can be approved only while one is current); `articles`: the articles of association; `legal-opinion`: a legal opinion.',
    ),
    sha256: sha256HexSchema.describe('SHA-256 of the file, 64 lowercase hex digits: what verification compares.'),
    uri: z
      .string()
      .min(8)
      .max(500)
      .regex(/^https:\/\/[^\s]+$/, 'an https URI without spaces')
      .regex(NO_CONTROL_CHARACTERS, 'no control characters')
      .describe('Where the file can be fetched (https). The ledger keeps its hash, not the file.'),
    effectiveAt: epochSecondsSchema.describe(
      'When the document takes effect, in epoch seconds (UTC). It counts as current from then on, until replaced.',
    ),
    jurisdiction: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code')
      .describe('The law the document is made under, ISO 3166 alpha-2 (e.g. MY).'),
    replaces: idSchema
      .optional()
      .describe(
        'The current document of the same type and jurisdiction this one replaces; it stays in the history as REPLACED. Required when such a document exists.',
      ),
  })
  .strict();
export type AttachDocumentInput = z.infer<typeof attachDocumentSchema>;

export const documentRefSchema = z.object({ classId, documentId }).strict();
export const classDocumentsQuerySchema = z.object({ classId }).strict();

export const verifyDocumentSchema = z
  .object({
    classId,
    documentId,
    contentBase64: z
      .string()
      .min(1)
      .max(MAX_VERIFY_BASE64)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
      .describe('The file to check, base64-encoded (at most 4 MiB of base64).'),
  })
  .strict();

const attestationSchema = z
  .object({
    role: AttesterRole.describe('`operator`, `trustee`, or `regulator` (an acknowledgement).'),
    mspId: z.string().describe('The attesting org: an MSP ID such as OperatorAMSP.'),
    at: z.number().int().describe('When, in epoch seconds (its transaction time).'),
    txId: z.string().describe('The attesting transaction: a Fabric transaction id (64 hex digits).'),
  })
  .strict();
export type Attestation = z.infer<typeof attestationSchema>;

export const classDocumentRecordSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    classId: z.string().describe('The share class the document belongs to.'),
    documentId: z.string().describe('The document id, unique within the class.'),
    type: DocumentType.describe('`offering`, `articles` or `legal-opinion`.'),
    sha256: z.string().describe('SHA-256 of the file, 64 lowercase hex digits.'),
    uri: z.string().describe('Where the file can be fetched.'),
    effectiveAt: z.number().int().describe('When the document takes effect, epoch seconds (UTC).'),
    jurisdiction: z.string().describe('The law it is made under, ISO 3166 alpha-2.'),
    status: z
      .enum(['CURRENT', 'REPLACED'])
      .describe('`CURRENT` until a later document of the same type and jurisdiction replaces it; then `REPLACED`.'),
    replaces: z.string().optional().describe('The document this one replaced, if any.'),
    replacedBy: z.string().optional().describe('The document that replaced this one, once replaced.'),
    replacedAt: z.number().int().optional().describe('When it was replaced, epoch seconds.'),
    attestations: z
      .array(attestationSchema)
      .describe('Who vouched for it, first the org that attached it; a regulator entry is an acknowledgement.'),
    attachedAt: z.number().int().describe('When it was attached, epoch seconds (its transaction time).'),
  })
  .strict();
export type ClassDocument = z.infer<typeof classDocumentRecordSchema>;

export const documentVerificationSchema = z
  .object({
    classId: z.string().describe('The share class.'),
    documentId: z.string().describe('The document checked.'),
    matches: z.boolean().describe('Whether the file hashes to the recorded SHA-256.'),
    sha256: z.string().describe("The file's SHA-256, as computed now."),
    recordedSha256: z.string().describe('The SHA-256 the ledger records for the document.'),
    status: z.enum(['CURRENT', 'REPLACED']).describe("The document's status: a match on a replaced one is history."),
  })
  .strict();
export type DocumentVerification = z.infer<typeof documentVerificationSchema>;
