import { AccountsContract } from './contracts/accounts';
import { EquityContract } from './contracts/equity';
import { MoneyContract } from './contracts/money';
import { RegistryContract } from './contracts/registry';
import { SupervisionContract } from './contracts/supervision';
import { SystemContract } from './contracts/system';
import { TransfersContract } from './contracts/transfers';

export {
  AccountsContract,
  EquityContract,
  MoneyContract,
  RegistryContract,
  SupervisionContract,
  SystemContract,
  TransfersContract,
};
export const contracts = [
  RegistryContract,
  AccountsContract,
  MoneyContract,
  EquityContract,
  TransfersContract,
  SupervisionContract,
  SystemContract,
];
