/**
 * The private data collection of an operator: its customers' personal data, balances and movements.
 * Named from the operator's MSP ID so chaincode and network configuration derive the same name.
 */
export function operatorCollection(operatorMspId: string): string {
  return `pdc${operatorMspId.replace(/MSP$/, '')}`;
}

/** The operator whose collection this is, or undefined for any other name. */
export function operatorOfCollection(collection: string): string | undefined {
  return /^pdc[A-Za-z0-9]+$/.test(collection) ? `${collection.slice(3)}MSP` : undefined;
}

/**
 * The audit channel's private collection of an org (members: that org and the regulator), which holds the
 * private part of every audit record naming the org as a party. The regulator's own (`auditRegulator`)
 * holds every private part and has the regulator as its only member.
 */
export function auditCollection(mspId: string): string {
  return `audit${mspId.replace(/MSP$/, '')}`;
}
