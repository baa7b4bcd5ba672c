/**
 * The regulator is the root of the hierarchy, so its MSP ID is part of the chaincode itself: every org
 * approves this code (its digest is the chaincode version) before it runs, and no transaction can claim
 * the role. Trustees and operators are admitted on the ledger by the regulator.
 * A unit test in network/ keeps this equal to the topology's regulator.
 */
export const REGULATOR_MSP_ID = 'RegulatorMSP';

/**
 * One chaincode package serves both channels; each contract is bound to its own, so the market contracts
 * cannot be called on `audit` (writing stray market records there) nor the audit contract on `market`.
 */
export const MARKET_CHANNEL = 'market';
export const AUDIT_CHANNEL = 'audit';
