import { z } from 'zod';
import { epochSecondsSchema, idSchema, mspIdSchema, reasonSchema } from './schemas';

/**
 * Shareholder votes (decision 55). A resolution is public; ballots and delegations live in the voter's
 * operator collection, sealed like every private record; the trustee counts each operator's holders at the
 * record time after the close, and the tally, with one receipt hash per counted ballot, becomes public.
 */
export const VoteChoice = z.enum(['FOR', 'AGAINST', 'ABSTAIN']);
export type VoteChoice = z.infer<typeof VoteChoice>;

const bps = (what: string) => z.number().int().min(1).max(10000).describe(what);
const resolutionId = idSchema.describe('The resolution, by the id its proposer chose.');
const account = (what: string) => idSchema.describe(what);

export const proposeResolutionSchema = z
  .object({
    resolutionId,
    classId: idSchema.describe('The share class whose holders vote; its issuer proposes, through its operator.'),
    title: reasonSchema.describe('What is resolved (3-500 characters), public.'),
    recordTime: epochSecondsSchema.describe(
      'Epoch seconds (UTC): each unit held at this time carries one vote. Must be in the future when proposed.',
    ),
    opensAt: epochSecondsSchema.describe('When voting opens (epoch seconds, UTC); not before the record time.'),
    closesAt: epochSecondsSchema.describe('When voting closes (epoch seconds, UTC); after opensAt.'),
    quorumBps: bps(
      'Quorum in basis points of the units entitled at the record time: ballots cast (abstentions included) must carry at least this share.',
    ),
    majorityBps: bps(
      'The majority needed, in basis points of the units voted FOR or AGAINST: FOR must carry more than this share (5000 = simple majority).',
    ),
  })
  .strict()
  .refine((r) => r.opensAt >= r.recordTime, { message: 'opensAt must not be before recordTime', path: ['opensAt'] })
  .refine((r) => r.closesAt > r.opensAt, { message: 'closesAt must be after opensAt', path: ['closesAt'] });
export type ProposeResolution = z.infer<typeof proposeResolutionSchema>;

export const castBallotSchema = z
  .object({
    resolutionId,
    accountId: account('The voting account (an investor or issuer); a customer credential fills in its own.'),
    choice: VoteChoice.describe('FOR, AGAINST or ABSTAIN: private to the voter’s operator domain.'),
    nonce: z
      .string()
      .regex(/^[A-Za-z0-9+/]{22,}={0,2}$/, 'base64, at least 128 bits')
      .max(88)
      .describe(
        'Random bytes (base64, at least 16) drawn by the gateway: the receipt hash covers them, so nobody can confirm a guess of the choice from the public tally.',
      ),
  })
  .strict();
export type CastBallot = z.infer<typeof castBallotSchema>;

export const delegateVoteSchema = z
  .object({
    resolutionId,
    accountId: account('The principal delegating its votes; a customer credential fills in its own.'),
    proxyAccountId: account('The proxy account that votes the principal’s units, at either operator.'),
  })
  .strict();

export const revokeDelegationSchema = z
  .object({
    resolutionId,
    accountId: account('The principal revoking its delegation; a customer credential fills in its own.'),
  })
  .strict();

export const resolutionRefSchema = z.object({ resolutionId }).strict();

export const ballotRefSchema = z
  .object({ resolutionId, accountId: account('The voter (or principal) whose ballot is read.') })
  .strict();

export const countBatchQuerySchema = z
  .object({
    resolutionId,
    operatorMspId: mspIdSchema.describe('The operator whose holders this batch counts.'),
    max: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(50)
      .describe('The most accounts this batch walks (1-100, default 50); call again until the operator is done.'),
  })
  .strict();

/** Which movements of an account came after the record time: stored keys, read back and checked by the count. */
export const holdingEvidenceSchema = z
  .object({
    accountId: account('An account of the operator in this batch.'),
    after: z
      .array(z.string().min(1).max(1000))
      .max(500)
      .describe('Stored keys of the account’s movements after the record time (its last ones, by position).'),
    boundary: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('Stored key of the account’s last movement at or before the record time, if it has one.'),
  })
  .strict();
export type HoldingEvidence = z.infer<typeof holdingEvidenceSchema>;

export const countBatchSchema = countBatchQuerySchema
  .extend({
    evidence: z
      .array(holdingEvidenceSchema)
      .max(100)
      .describe('From the count-evidence read: for each account with movements, which came after the record time.'),
  })
  .strict();

export const tallySchema = z
  .object({
    eligible: z.string().describe('Units held at the record time, all operators together (decimal string).'),
    for: z.string().describe('Units voted FOR, delegated units included (decimal string).'),
    against: z.string().describe('Units voted AGAINST (decimal string).'),
    abstain: z.string().describe('Units that abstained (decimal string).'),
    quorumMet: z.boolean().describe('Whether the ballots cast carried at least quorumBps of the eligible units.'),
    passed: z.boolean().describe('Quorum met and FOR carried more than majorityBps of FOR plus AGAINST.'),
    receipts: z
      .array(z.string())
      .describe('The receipt hash of every counted ballot, sorted: a voter finds its own to check it was counted.'),
  })
  .strict();
export type Tally = z.infer<typeof tallySchema>;

export const resolutionRecordSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    id: z.string().describe('The resolution id.'),
    classId: z.string().describe('The share class whose holders vote.'),
    title: z.string().describe('What is resolved.'),
    recordTime: z.number().int().describe('Epoch seconds: holdings at this time carry the votes.'),
    opensAt: z.number().int().describe('Epoch seconds: voting opens.'),
    closesAt: z.number().int().describe('Epoch seconds: voting closes.'),
    quorumBps: z.number().int().describe('Quorum, in basis points of the eligible units.'),
    majorityBps: z.number().int().describe('Majority, in basis points of the units voted FOR or AGAINST.'),
    operatorMspId: z.string().describe('The issuer’s operator, which announced the resolution.'),
    status: z.enum(['PROPOSED', 'CLOSED']).describe('PROPOSED until the tally is published, then CLOSED.'),
    proposedAt: z.number().int().describe('Epoch seconds of the announcement.'),
    closedAt: z.number().int().optional().describe('Epoch seconds of the tally’s publication.'),
    tally: tallySchema.optional().describe('The result, public once published.'),
  })
  .strict();
export type Resolution = z.infer<typeof resolutionRecordSchema>;

/** Public progress of one operator's count (`vcount`/resolution/operator): no account, no amount. */
export const countProgressSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    resolutionId: z.string().describe('The resolution counted.'),
    operatorMspId: z.string().describe('The operator whose holders are counted.'),
    cursor: z.string().optional().describe('The last account counted: where the next batch continues.'),
    accounts: z.number().int().describe('Accounts walked so far.'),
    done: z.boolean().describe('Whether every account of the operator has been counted.'),
  })
  .strict();
export type CountProgress = z.infer<typeof countProgressSchema>;

export const ballotViewSchema = z
  .object({
    resolutionId: z.string().describe('The resolution.'),
    accountId: z.string().describe('The voter or principal.'),
    choice: VoteChoice.optional().describe('The ballot cast by this account, if any.'),
    receipt: z.string().optional().describe('The ballot’s receipt hash, listed in the published tally once counted.'),
    castAt: z.number().int().optional().describe('Epoch seconds the ballot was cast.'),
    proxyAccountId: z.string().optional().describe('The proxy this account has delegated its votes to, if any.'),
    counted: z.boolean().optional().describe('Once published: whether the receipt is in the tally.'),
  })
  .strict();

export const countEvidenceSchema = z
  .object({
    resolutionId: z.string().describe('The resolution.'),
    operatorMspId: z.string().describe('The operator of the batch.'),
    evidence: z.array(holdingEvidenceSchema).describe('Pass it unchanged to the count.'),
  })
  .strict();

export const countResultSchema = countProgressSchema.omit({ v: true });
