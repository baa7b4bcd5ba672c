import { z } from 'zod';
import { amountSchema, idSchema, mspIdSchema, reasonSchema } from './schemas';

/**
 * Reference prices from several feeds (decision 56). The regulator registers providers (an identity of an
 * admitted org) and sets, per class, how fresh a quote must be, how far from the median it may stray and
 * how many must remain; the reference is the median of what remains, else the last trade.
 */
const providerId = idSchema.describe('The price feed provider, by the id the regulator gave it.');
const classId = idSchema.describe('The share class priced.');

export const registerProviderSchema = z
  .object({
    providerId,
    mspId: mspIdSchema.describe('The admitted org whose identity posts this feed.'),
    enrollmentId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'a CA enrollment id')
      .describe('The identity (certificate common name, e.g. `gateway`) of that org that signs its quotes.'),
    active: z.boolean().default(true).describe('false retires the provider: its quotes no longer count.'),
    reason: reasonSchema.describe('Why (3-500 characters), public.'),
  })
  .strict();

export const configureFeedsSchema = z
  .object({
    classId,
    staleSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86400)
      .describe('A quote older than this many seconds (by transaction time) is ignored.'),
    minFeeds: z
      .number()
      .int()
      .min(1)
      .max(50)
      .describe('Fewest quotes that must remain after the filter; below it the reference is the last trade.'),
    outlierBps: z
      .number()
      .int()
      .min(1)
      .max(10000)
      .describe('A fresh quote further than this (basis points) from the median of all fresh quotes is dropped.'),
    reason: reasonSchema.describe('Why (3-500 characters), public.'),
  })
  .strict();
export type FeedConfig = Omit<z.infer<typeof configureFeedsSchema>, 'reason'> & { v: number; setAt: number };

export const postPriceSchema = z
  .object({
    providerId,
    classId,
    price: amountSchema.describe('Price per share unit, in the smallest unit of the class’s money token.'),
  })
  .strict();

export const providerRecordSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    providerId: z.string().describe('The provider id.'),
    mspId: z.string().describe('The org whose identity posts.'),
    enrollmentId: z.string().describe('The identity (certificate common name) that signs its quotes.'),
    active: z.boolean().describe('Whether its quotes count.'),
    registeredAt: z.number().int().describe('Epoch seconds of the last registration change.'),
  })
  .strict();
export type PriceProvider = z.infer<typeof providerRecordSchema>;

export const quoteRecordSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    classId: z.string().describe('The share class.'),
    providerId: z.string().describe('Who posted it.'),
    price: z.string().describe('Price per unit (decimal string).'),
    at: z.number().int().describe('Epoch seconds of the posting transaction.'),
    txId: z.string().describe('The posting transaction, signed by the provider’s identity.'),
  })
  .strict();
export type PriceQuote = z.infer<typeof quoteRecordSchema>;

export const ReferenceSource = z.enum(['FEEDS', 'LAST_TRADE', 'NONE']);
export type ReferenceSource = z.infer<typeof ReferenceSource>;

export const referenceViewSchema = z
  .object({
    classId: z.string().describe('The share class.'),
    source: ReferenceSource.describe(
      'FEEDS: the median of the quotes that passed; LAST_TRADE: too few did, so the last trade; NONE: neither exists (the breaker keeps its own reference).',
    ),
    price: z.string().optional().describe('The reference price per unit (decimal string), unless source is NONE.'),
    fresh: z.array(z.string()).describe('Providers whose quotes were fresh.'),
    used: z.array(z.string()).describe('Providers whose quotes passed the outlier filter.'),
    stale: z.array(z.string()).describe('Providers whose quotes were too old (or retired).'),
    minFeeds: z.number().int().describe('The configured minimum of quotes left after the filter.'),
    at: z.number().int().describe('The transaction time the reference was computed at.'),
  })
  .strict();
export type ReferenceView = z.infer<typeof referenceViewSchema>;

export const feedConfigRecordSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    classId: z.string().describe('The share class.'),
    staleSeconds: z.number().int().describe('Quote staleness threshold, seconds.'),
    minFeeds: z.number().int().describe('Minimum quotes left after the filter.'),
    outlierBps: z.number().int().describe('Outlier distance from the median, basis points.'),
    setAt: z.number().int().describe('Epoch seconds of the setting.'),
  })
  .strict();
