/**
 * The regulator is the root of the hierarchy, so its MSP ID is part of the chaincode itself: every org
 * approves this code (its digest is the chaincode version) before it runs, and no transaction can claim
 * the role. Trustees and operators are admitted on the ledger by the regulator.
 * A unit test in network/ keeps this equal to the topology's regulator.
 */
export const REGULATOR_MSP_ID = 'RegulatorMSP';
