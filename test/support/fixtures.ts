/** Inputs the end-to-end suites share: times, KYC records and campaign terms as the chaincode expects them. */

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const YEAR_SECONDS = 365 * 86400;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A KYC record valid for a year. */
export const kyc = (investorClass = 'retail') => ({
  validUntil: nowSeconds() + YEAR_SECONDS,
  investorClass,
  jurisdiction: 'MY',
});

/** All-or-nothing campaign terms: 50–100 units at 100, open now, closing in `closeIn` seconds. */
export const campaignTerms = (
  ids: { campaignId: string; classId: string; tokenId: string },
  closeIn: number,
  over: Record<string, unknown> = {},
) => ({
  ...ids,
  pricePerUnit: '100',
  minUnits: '50',
  maxUnits: '100',
  openAt: nowSeconds() - 5,
  closeAt: nowSeconds() + closeIn,
  minPledge: '100',
  maxPledge: '50000',
  allowedInvestorClasses: ['retail', 'sophisticated'],
  coolingOffSeconds: 3600,
  ...over,
});

/**
 * Waits until 2 s after a campaign's close. Transaction timestamps decide whether it has closed, and
 * this machine's clock sets them.
 */
export const pastClose = (terms: { closeAt: number }): Promise<void> =>
  sleep(Math.max(0, (terms.closeAt + 2 - nowSeconds()) * 1000));

/** The file of a class's offering document, as the issuer publishes it. */
export const offeringFile = (classId: string): Buffer => Buffer.from(`offering document of ${classId}`);

/**
 * The body of `POST /v1/share-classes/{classId}/documents` for the class's offering document, in effect
 * since a minute ago: a campaign is approved only under a current one (decision 50).
 */
export const offeringDocumentBody = (classId: string, documentId = `${classId}-offering`) => ({
  documentId,
  type: 'offering',
  sha256: createHash('sha256').update(offeringFile(classId)).digest('hex'),
  uri: `https://issuer.example/${classId}/offering.pdf`,
  effectiveAt: nowSeconds() - 60,
  jurisdiction: 'MY',
});
