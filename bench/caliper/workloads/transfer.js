/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- Caliper loads workload modules with require() */
'use strict';

/**
 * W2: Transfers:Transfer of 1 minor unit between two accounts that BenchMarket onboarded and funded.
 * The payload goes in the transient map under `payload`, as the chaincode expects.
 *
 * Round arguments:
 *   accountsFile  JSON file written by run.js: { "assetId": "...", "accounts": ["b00000", ...] }
 *   pick          'uniform' (default): both accounts drawn uniformly at random (from != to), as published
 *                 Caliper money-transfer benchmarks do, so concurrent transfers may touch the same account
 *                 and fail validation with MVCC_READ_CONFLICT;
 *                 'roundrobin': the i-th transfer of a worker moves money between accounts 2i and 2i+1
 *                 (as bench/src/market.ts does), so transfers in flight never share an account.
 *   amount        minor units per transfer (default '1')
 */
const { readFileSync } = require('node:fs');
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Transfer extends WorkloadModuleBase {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
    await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
    const { assetId, accounts } = JSON.parse(readFileSync(roundArguments.accountsFile, 'utf8'));
    if (!Array.isArray(accounts) || accounts.length < 2) throw new Error('W2 needs at least two accounts');
    this.assetId = assetId;
    this.accounts = accounts;
    this.pick = roundArguments.pick ?? 'uniform';
    this.amount = String(roundArguments.amount ?? '1');
    // Workers and rounds start at different offsets so round-robin transfers do not reuse accounts in lockstep.
    this.next = (workerIndex + roundIndex * totalWorkers) * 100_000;
  }

  pair() {
    const n = this.accounts.length;
    if (this.pick === 'roundrobin') {
      const i = this.next++;
      return [this.accounts[(2 * i) % n], this.accounts[(2 * i + 1) % n]];
    }
    const from = Math.floor(Math.random() * n);
    let to = Math.floor(Math.random() * (n - 1));
    if (to >= from) to += 1;
    return [this.accounts[from], this.accounts[to]];
  }

  async submitTransaction() {
    const [from, to] = this.pair();
    await this.sutAdapter.sendRequests({
      contractId: this.roundArguments.contractId ?? 'market',
      contractFunction: 'Transfers:Transfer',
      contractArguments: [],
      transientMap: { payload: JSON.stringify({ from, to, assetId: this.assetId, amount: this.amount }) },
      invokerMspId: this.roundArguments.invokerMspId ?? 'OperatorAMSP',
      invokerIdentity: this.roundArguments.invokerIdentity ?? 'gateway',
      readOnly: false,
    });
  }
}

module.exports.createWorkloadModule = () => new Transfer();
