/**
 * The private data collection of an operator: its customers' personal data, balances and movements.
 * Named from the operator's MSP ID so chaincode and network configuration derive the same name.
 */
export function operatorCollection(operatorMspId: string): string {
  return `pdc${operatorMspId.replace(/MSP$/, '')}`;
}
