import { expect } from 'chai';
import { checkOwnMspPolicy, NotOwnMspError, revocationListOf, withRevocationList } from './revocation';

const adminsOf = (...msps: string[]) => ({
  mod_policy: 'Admins',
  policy: {
    type: 1,
    value: {
      identities: msps.map((m) => ({
        principal: { msp_identifier: m, role: 'ADMIN' },
        principal_classification: 'ROLE',
      })),
      rule: { n_out_of: { n: 1, rules: msps.map((_, i) => ({ signed_by: i })) } },
      version: 0,
    },
  },
});
const mspValue = (name: string) => ({
  mod_policy: 'Admins',
  value: { config: { name, revocation_list: [], root_certs: ['cm9vdA=='] }, type: 0 },
  version: '0',
});
const group = (msp: string) => ({ policies: { Admins: adminsOf(msp) }, values: { MSP: mspValue(msp) } });
const config = () => ({
  channel_group: {
    groups: {
      Application: { groups: { OperatorAMSP: group('OperatorAMSP'), TrusteeMSP: group('TrusteeMSP') } },
      Orderer: { groups: { OperatorAMSP: group('OperatorAMSP') } },
    },
  },
});
const CRL = '-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n';

describe('revocation the peers enforce: the CRL in the channel MSP', () => {
  it("finds that the org's own admin alone may change its MSP, in every group that defines it", () => {
    expect(checkOwnMspPolicy(config(), 'OperatorAMSP')).to.deep.equal([
      'Application/OperatorAMSP/MSP (mod_policy Admins = OperatorAMSP.admin)',
      'Orderer/OperatorAMSP/MSP (mod_policy Admins = OperatorAMSP.admin)',
    ]);
  });

  it('refuses when the MSP needs more than its own admin, or is not a member', () => {
    const shared = config();
    shared.channel_group.groups.Application.groups.OperatorAMSP.policies.Admins = adminsOf(
      'OperatorAMSP',
      'RegulatorMSP',
    );
    expect(() => checkOwnMspPolicy(shared, 'OperatorAMSP')).to.throw(NotOwnMspError, /asks for more than OperatorAMSP/);
    const other = config();
    other.channel_group.groups.Orderer.groups.OperatorAMSP.values.MSP.mod_policy = '/Channel/Admins';
    expect(() => checkOwnMspPolicy(other, 'OperatorAMSP')).to.throw(NotOwnMspError, /mod_policy/);
    expect(() => checkOwnMspPolicy(config(), 'OperatorCMSP')).to.throw(NotOwnMspError, /not a member/);
  });

  it('writes the CRL into both definitions of the MSP (Fabric refuses two different ones) and nowhere else', () => {
    const before = config();
    const after = withRevocationList(before, 'OperatorAMSP', CRL);
    const b64 = Buffer.from(CRL).toString('base64');
    expect(
      after.channel_group.groups.Application.groups.OperatorAMSP.values.MSP.value.config.revocation_list,
    ).to.deep.equal([b64]);
    expect(
      after.channel_group.groups.Orderer.groups.OperatorAMSP.values.MSP.value.config.revocation_list,
    ).to.deep.equal([b64]);
    expect(
      after.channel_group.groups.Application.groups.TrusteeMSP.values.MSP.value.config.revocation_list,
    ).to.deep.equal([]);
    expect(revocationListOf(after, 'OperatorAMSP')).to.deep.equal([CRL]);
    expect(revocationListOf(before, 'OperatorAMSP'), 'the original is left as it was').to.deep.equal([]);
  });
});
