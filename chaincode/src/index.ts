import { SystemContract } from './contracts/system';

export { SystemContract };
export const contracts = [SystemContract];
