/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- Caliper loads workload modules with require() */
'use strict';

/**
 * W0: System:Noop, a write that touches no state (raw Fabric: endorse, order, validate, commit).
 * Submitted as OperatorA's gateway identity through OperatorA's peer, like bench/src/market.ts does.
 */
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Noop extends WorkloadModuleBase {
  async submitTransaction() {
    await this.sutAdapter.sendRequests({
      contractId: this.roundArguments.contractId ?? 'market',
      contractFunction: 'System:Noop',
      contractArguments: [],
      invokerMspId: this.roundArguments.invokerMspId ?? 'OperatorAMSP',
      invokerIdentity: this.roundArguments.invokerIdentity ?? 'gateway',
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new Noop();
