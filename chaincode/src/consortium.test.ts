import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REGULATOR_MSP_ID } from './consortium';

describe('consortium constants', () => {
  it('name the same regulator as the network topology', () => {
    const topology = parse(readFileSync(join(__dirname, '..', '..', 'network', 'topology.yaml'), 'utf8')) as {
      orgs: Array<{ role: string; mspId: string }>;
    };
    expect(topology.orgs.find((o) => o.role === 'regulator')?.mspId).to.equal(REGULATOR_MSP_ID);
  });
});
