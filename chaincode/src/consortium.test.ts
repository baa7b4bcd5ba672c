import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AUDIT_CHANNEL, MARKET_CHANNEL, REGULATOR_MSP_ID } from './consortium';

describe('consortium constants', () => {
  const topology = parse(readFileSync(join(__dirname, '..', '..', 'network', 'topology.yaml'), 'utf8')) as {
    orgs: Array<{ role: string; mspId: string }>;
    chaincodes: Array<{ name: string; channel: string; path: string }>;
  };

  it('name the same regulator as the network topology', () => {
    expect(topology.orgs.find((o) => o.role === 'regulator')?.mspId).to.equal(REGULATOR_MSP_ID);
  });

  it('bind the contracts to the channels the topology deploys this package on', () => {
    const deployed = topology.chaincodes.filter((c) => c.path === 'chaincode').map((c) => `${c.name}@${c.channel}`);
    expect(deployed).to.deep.equal([`market@${MARKET_CHANNEL}`, `audit@${AUDIT_CHANNEL}`]);
  });
});
