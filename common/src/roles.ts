/** The `role` attribute the org CAs put in ecerts; the chaincode reads it with the caller's MSP ID. */
export const Role = {
  REGULATOR: 'regulator',
  TRUSTEE: 'trustee',
  OPERATOR: 'operator',
  ISSUER: 'issuer',
  INVESTOR: 'investor',
} as const;

export type Role = (typeof Role)[keyof typeof Role];
