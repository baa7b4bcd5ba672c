import type { Operation } from './operation';
import { PARTICIPANT_OPERATIONS } from './participants';
import { ASSET_OPERATIONS } from './assets';
import { MONEY_OPERATIONS } from './money';
import { ACCOUNT_OPERATIONS } from './accounts';
import { TRANSFER_OPERATIONS } from './transfers';
import { OFFERING_OPERATIONS } from './offerings';
import { MARKET_OPERATIONS } from './market';
import { SUPERVISION_OPERATIONS } from './supervision';
import { WIND_DOWN_OPERATIONS } from './wind-down';
import { AUDIT_OPERATIONS } from './audit';
import { CORPORATE_ACTION_OPERATIONS } from './corporate-actions';
import { ALLOWANCE_OPERATIONS } from './allowances';
import { LIMIT_OPERATIONS } from './limits';
import { VOTE_OPERATIONS } from './votes';
import { PRICE_FEED_OPERATIONS } from './price-feeds';
import { DOCUMENT_OPERATIONS } from './documents';
import { DISTRIBUTION_OPERATIONS } from './distributions';

export { isWrite, type HttpMethod, type Operation } from './operation';

/**
 * Every route that maps onto a chaincode transaction, grouped by domain as the contracts are. The router,
 * the OpenAPI document, the gateway's role check and the HTTP authorization matrix are generated from it.
 */
export const OPERATIONS: readonly Operation[] = [
  ...PARTICIPANT_OPERATIONS,
  ...ASSET_OPERATIONS,
  ...MONEY_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...TRANSFER_OPERATIONS,
  ...OFFERING_OPERATIONS,
  ...MARKET_OPERATIONS,
  ...SUPERVISION_OPERATIONS,
  ...WIND_DOWN_OPERATIONS,
  ...CORPORATE_ACTION_OPERATIONS,
  ...AUDIT_OPERATIONS,
  ...ALLOWANCE_OPERATIONS,
  ...LIMIT_OPERATIONS,
  ...VOTE_OPERATIONS,
  ...PRICE_FEED_OPERATIONS,
  ...DOCUMENT_OPERATIONS,
  ...DISTRIBUTION_OPERATIONS,
];
