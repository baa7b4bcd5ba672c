import { expect } from 'chai';
import { certificateSerialAndAki } from './certificate';

// A leaf made with openssl (serial 0x0a1b2c3d4e5f, an authorityKeyIdentifier of its CA's key).
const LEAF = `-----BEGIN CERTIFICATE-----
MIIBWDCB/qADAgECAgYKGyw9Tl8wCgYIKoZIzj0EAwIwDTELMAkGA1UEAwwCY2Ew
HhcNMjYxMjA0MDQ0MjAxWhcNMzYxMjAxMDQ0MjAxWjAVMRMwEQYDVQQDDAphY2N0
LWFsaWNlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0kf1YVXw1ex0fP8lyc0O
AOPx2aOIUtuK5lsl6nq+2GCXbgGpkvd94cLHlr+5CEBTXhpgVHznlWiGfXsCuL9w
n6NCMEAwHwYDVR0jBBgwFoAUSW7tMwMQbUg7SnNe3DF965XBxpowHQYDVR0OBBYE
FGmaHLn0QmosrLUtT9h/P4DSwweLMAoGCCqGSM49BAMCA0kAMEYCIQDxgg60/xvy
z3M7uNhuwC5GVmTTPTnZv/vBLMX1xPBUFAIhAP1eGUy/mMyYfCUeqkcOG+94KHgF
jW3T6i4Wa/jQr4E+
-----END CERTIFICATE-----
`;

// Self-signed by the same key, without the extension.
const NO_AKI = `-----BEGIN CERTIFICATE-----
MIIBUjCB+qADAgECAhQEyEG5s49yzkwWEsE9LumjStrmSzAKBggqhkjOPQQDAjAQ
MQ4wDAYDVQQDDAVub2FraTAeFw0yNjEyMDQwNDQyMTNaFw0zNjEyMDEwNDQyMTNa
MBAxDjAMBgNVBAMMBW5vYWtpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEuLNS
jrwWzUWhbFRDxZ5Bpw86K5q+XCuo4M8d2Kbbz7QEJ/OAPslFPH5XmjAGhTN3Aihz
SSghDv1yXVXN7RvJ6aMyMDAwHQYDVR0OBBYEFElu7TMDEG1IO0pzXtwxfeuVwcaa
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgDZ1jg6fng5ZkRq/B
XKYp8SmZZsSAt3v6OrzeyvnLCs0CIFc5Tu36uF+KH+fj4AdHURTj9Yx33Vtmwj4T
k+jkiJwh
-----END CERTIFICATE-----
`;

describe('certificate identifiers', () => {
  it('reads the serial and the authority key id a CA needs to revoke exactly this certificate', () => {
    expect(certificateSerialAndAki(LEAF)).to.deep.equal({
      serial: 'a1b2c3d4e5f',
      aki: '496eed3303106d483b4a735edc317deb95c1c69a',
    });
  });

  it('refuses a certificate without an authority key identifier', () => {
    expect(() => certificateSerialAndAki(NO_AKI)).to.throw(/no authority key identifier/);
  });
});
