import {
  limitPolicyRecordSchema,
  limitPolicySchema,
  limitPolicyQuerySchema,
  limitUsageQuerySchema,
  limitUsageSchema,
} from '@ecf/common';
import { R, T, EVERYONE, op, accountId, tokenId, type Operation } from './operation';

/** Routes of the cross-platform investor limits (decision 49). */
export const LIMIT_OPERATIONS: readonly Operation[] = [
  op({
    id: 'getInvestorLimits',
    method: 'get',
    path: '/v1/money-tokens/:tokenId/investor-limits',
    summary: "The regulator's yearly caps per retail investor, across operators, counted in a money token",
    tag: 'Limits',
    roles: EVERYONE,
    fn: 'Limits:GetPolicy',
    mode: 'evaluate',
    via: 'arg',
    params: tokenId,
    input: limitPolicyQuerySchema,
    result: limitPolicyRecordSchema,
  }),
  op({
    id: 'setInvestorLimits',
    method: 'put',
    path: '/v1/money-tokens/:tokenId/investor-limits',
    summary: 'Regulator: set the yearly caps per retail investor, in total and per issuer, across operators',
    tag: 'Limits',
    roles: [R],
    fn: 'Limits:SetPolicy',
    mode: 'submit',
    via: 'arg',
    params: tokenId,
    input: limitPolicySchema,
    result: limitPolicyRecordSchema,
  }),
  op({
    id: 'getInvestorLimitUsage',
    method: 'get',
    path: '/v1/accounts/:accountId/investor-limit-usage',
    summary:
      "Regulator or the account's trustee: what the account's person invested this year across every operator (never an operator: it includes its competitors' figures)",
    tag: 'Limits',
    roles: [R, T],
    fn: 'Limits:GetUsage',
    mode: 'evaluate',
    via: 'arg',
    params: accountId,
    query: ['tokenId', 'issuerAccountId'],
    input: limitUsageQuerySchema,
    result: limitUsageSchema,
  }),
];
