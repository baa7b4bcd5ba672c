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
