import { AccountsContract } from './contracts/accounts';
import { AuditContract } from './contracts/audit';
import { CampaignsContract } from './contracts/campaigns';
import { DistributionsContract } from './contracts/distributions';
import { DocumentsContract } from './contracts/documents';
import { EquityContract } from './contracts/equity';
import { MarketContract } from './contracts/market';
import { MoneyContract } from './contracts/money';
import { PrivacyContract } from './contracts/privacy';
import { RegistryContract } from './contracts/registry';
import { SupervisionContract } from './contracts/supervision';
import { SystemContract } from './contracts/system';
import { TransfersContract } from './contracts/transfers';
import { WindDownContract } from './contracts/wind-down';

export {
  AccountsContract,
  AuditContract,
  CampaignsContract,
  DistributionsContract,
  DocumentsContract,
  EquityContract,
  MarketContract,
  MoneyContract,
  PrivacyContract,
  RegistryContract,
  SupervisionContract,
  SystemContract,
  TransfersContract,
  WindDownContract,
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
  DocumentsContract,
  DistributionsContract,
];
