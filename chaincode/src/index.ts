import { AccountsContract } from './contracts/accounts';
import { AllowancesContract } from './contracts/allowances';
import { AuditContract } from './contracts/audit';
import { CampaignsContract } from './contracts/campaigns';
import { CorporateActionsContract } from './contracts/corporate-actions';
import { DistributionsContract } from './contracts/distributions';
import { DocumentsContract } from './contracts/documents';
import { EquityContract } from './contracts/equity';
import { LimitsContract } from './contracts/limits';
import { MarketContract } from './contracts/market';
import { MoneyContract } from './contracts/money';
import { PrivacyContract } from './contracts/privacy';
import { RegistryContract } from './contracts/registry';
import { SupervisionContract } from './contracts/supervision';
import { SystemContract } from './contracts/system';
import { TransfersContract } from './contracts/transfers';
import { WindDownContract } from './contracts/wind-down';
import { VotesContract } from './contracts/votes';
import { PriceFeedsContract } from './contracts/price-feeds';

export {
  AccountsContract,
  AllowancesContract,
  AuditContract,
  CampaignsContract,
  CorporateActionsContract,
  DistributionsContract,
  DocumentsContract,
  EquityContract,
  LimitsContract,
  MarketContract,
  MoneyContract,
  PrivacyContract,
  RegistryContract,
  SupervisionContract,
  SystemContract,
  TransfersContract,
  WindDownContract,
  VotesContract,
  PriceFeedsContract,
};
export const contracts = [
  RegistryContract,
  AccountsContract,
  MoneyContract,
  EquityContract,
  TransfersContract,
  CampaignsContract,
  MarketContract,
  SupervisionContract,
  PrivacyContract,
  SystemContract,
  AuditContract,
  WindDownContract,
  CorporateActionsContract,
  AllowancesContract,
  LimitsContract,
  VotesContract,
  PriceFeedsContract,
  DocumentsContract,
  DistributionsContract,
];
