import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';

/** Liveness of the chaincode itself: what the network's own tests and the raw-Fabric baseline call. */
@Info({ title: 'System', description: 'Chaincode liveness and the no-op baseline transaction' })
export class SystemContract extends Contract {
  constructor() {
    super('System');
  }

  /**
   * Records that the calling org reached the ledger: one key per org, so heartbeats of different orgs never
   * conflict. The value carries only the transaction's own id and timestamp.
   */
  @Transaction()
  public async Heartbeat(ctx: Context): Promise<void> {
    const mspId = ctx.clientIdentity.getMSPID();
    const key = ctx.stub.createCompositeKey('system.heartbeat', [mspId]);
    const ts = ctx.stub.getTxTimestamp();
    const value = { mspId, txId: ctx.stub.getTxID(), seconds: Number(ts.seconds.toString()) };
    await ctx.stub.putState(key, Buffer.from(JSON.stringify(value)));
  }

  /**
   * The raw-Fabric baseline for benchmarks: one write under a key of its own (the transaction id), no reads,
   * no rules. Same chaincode, channel and endorsement policy as every market transaction.
   */
  @Transaction()
  public async Noop(ctx: Context): Promise<void> {
    await ctx.stub.putState(ctx.stub.createCompositeKey('system.noop', [ctx.stub.getTxID()]), Buffer.from('1'));
  }

  @Transaction(false)
  @Returns('string')
  public async GetHeartbeat(ctx: Context, mspId: string): Promise<string> {
    const key = ctx.stub.createCompositeKey('system.heartbeat', [mspId]);
    const value = await ctx.stub.getState(key);
    return value.length > 0 ? value.toString() : '';
  }
}
