import { ErrorCode } from '@ecf/common';
import * as grpc from '@grpc/grpc-js';
import {
  CommitError,
  connect,
  EndorseError,
  GatewayError,
  signers,
  type CloseableAsyncIterable,
  type Contract,
  type Gateway,
  type Network,
  type Signer,
} from '@hyperledger/fabric-gateway';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { decodeBlock, type DecodedBlock, type DecodedTx } from './blocks';
import { retryConflicts, type AttemptOutcome } from './retry';
import type { IdentityWallet, WalletIdentity } from './wallet';
import {
  FabricFailure,
  sanitiseCause,
  type BlockStream,
  type ChainEvent,
  type CommittedTransaction,
  type EventPosition,
  type EventStream,
  type FabricPort,
  type IdentityLabel,
  type Invocation,
  type SubmitHooks,
  type SubmitResult,
  type TransactionCreator,
} from './types';

export interface PeerEndpoint {
  /** host:port */
  readonly address: string;
  /** The name in the peer's TLS certificate. */
  readonly hostname: string;
  readonly tlsRootCert: Buffer;
}

export interface FabricGatewayOptions {
  readonly peer: PeerEndpoint;
  readonly channel: string;
  readonly chaincode: string;
  readonly wallet: IdentityWallet;
  /** The identity that reads events and answers readiness checks. */
  readonly serviceIdentity: IdentityLabel;
  /** Attempts for a transaction that keeps failing on MVCC or phantom read conflicts (default 4). */
  readonly maxAttempts?: number;
  /**
   * fabric-gateway's HSM signer for a certificate whose key is in the org's PKCS#11 token (decision 45);
   * required once the wallet holds an `HSM-X.509` identity.
   */
  readonly hsmSigner?: (certificate: string) => Signer;
}

const RETRYABLE = new Set<number>([
  peer.TxValidationCode.MVCC_READ_CONFLICT,
  peer.TxValidationCode.PHANTOM_READ_CONFLICT,
]);
const CODE_NAMES = Object.fromEntries(Object.entries(peer.TxValidationCode).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

/** A wallet identity's fabric-gateway connection and the signer behind it. */
interface Connection {
  readonly certificate: string;
  readonly gateway: Gateway;
  readonly signer: Signer;
}

/** The real Fabric: one gRPC connection to the org's peer, one fabric-gateway Gateway per wallet identity. */
export class FabricGateway implements FabricPort {
  private readonly client: grpc.Client;
  private readonly gateways = new Map<string, Connection>();

  constructor(private readonly options: FabricGatewayOptions) {
    const { peer: endpoint } = options;
    this.client = new grpc.Client(endpoint.address, grpc.credentials.createSsl(endpoint.tlsRootCert), {
      'grpc.ssl_target_name_override': endpoint.hostname,
      'grpc.keepalive_time_ms': 60_000,
    });
  }

  async evaluate(identity: IdentityLabel, call: Invocation): Promise<unknown> {
    const contract = this.contract(await this.connection(identity), call.fn);
    try {
      const proposal = contract.newProposal(method(call.fn), {
        arguments: [...(call.args ?? [])],
        transientData: transient(call.transient),
      });
      const bytes = await proposal.evaluate({ deadline: call.deadline });
      return decode(bytes);
    } catch (err) {
      throw classify(err);
    }
  }

  async submit(identity: IdentityLabel, call: Invocation, hooks: SubmitHooks = {}): Promise<SubmitResult> {
    const connection = await this.connection(identity);
    const { gateway, signer } = connection;
    const contract = this.contract(connection, call.fn);
    const once = async (): Promise<AttemptOutcome<Omit<SubmitResult, 'attempts'>>> => {
      const proposal = contract.newProposal(method(call.fn), {
        arguments: [...(call.args ?? [])],
        transientData: transient(call.transient),
        ...(call.endorsingOrganizations ? { endorsingOrganizations: [...call.endorsingOrganizations] } : {}),
      });
      const txId = proposal.getTransactionId();
      // Set once the transaction is handed to ordering: from then on a timeout or a lost connection
      // leaves its outcome unknown (it may commit), where before it nothing could commit.
      let handed = false;
      try {
        const options = () => ({ deadline: call.deadline });
        const endorsed = await proposal.endorse(options());
        // Signed here, not lazily inside submit, so that the kept copy is exactly the envelope sent: any
        // identity's connection can send it again, even after this identity's key is gone (renewal,
        // offboarding).
        const transaction = gateway.newSignedTransaction(endorsed.getBytes(), await signer(endorsed.getDigest()));
        await hooks.beforeOrder?.(txId, transaction.getBytes());
        handed = true;
        const submitted = await transaction.submit(options());
        const status = await submitted.getStatus(options());
        if (status.successful) {
          return {
            done: { txId, blockNumber: status.blockNumber.toString(), result: decode(transaction.getResult()) },
          };
        }
        const codeName = CODE_NAMES[status.code] ?? String(status.code);
        if (!RETRYABLE.has(status.code)) {
          throw new FabricFailure('invalid', `transaction ${txId} committed as invalid: ${codeName}`, txId, codeName);
        }
        return { conflict: { txId, code: codeName } };
      } catch (err) {
        if (handed) throw FabricFailure.afterOrdering(classify(err, txId), txId);
        const failure = classify(err, txId);
        // A conflict seen at endorsement never reached ordering: endorsing again is safe, as after MVCC.
        const endorsementConflict = failure.kind === 'conflict' && failure.validationCode === 'ENDORSEMENT_MISMATCH';
        // Only an endorsement that failed is safe to redo: after submit the transaction may be ordered.
        if (!endorsementConflict || !(err instanceof EndorseError)) throw failure;
        return {
          conflict: {
            txId,
            code: 'ENDORSEMENT_MISMATCH',
            ...(failure.upstream !== undefined ? { upstream: failure.upstream } : {}),
          },
        };
      }
    };
    const { value, attempts } = await retryConflicts(once, {
      maxAttempts: this.options.maxAttempts ?? 4,
      deadline: call.deadline,
      ...(hooks.mayRetry ? { mayRetry: hooks.mayRetry } : {}),
    });
    return { ...value, attempts };
  }

  async findTransaction(txId: string, deadline: number): Promise<CommittedTransaction | undefined> {
    const network = await this.network(this.options.serviceIdentity);
    const qscc = network.getContract('qscc');
    let processed: peer.ProcessedTransaction;
    let block: common.Block;
    try {
      const args = { arguments: [this.options.channel, txId] };
      const query = async (fn: string) => qscc.newProposal(fn, args).evaluate({ deadline });
      processed = peer.ProcessedTransaction.deserializeBinary(await query('GetTransactionByID'));
      block = common.Block.deserializeBinary(await query('GetBlockByTxID'));
    } catch (err) {
      if (/not found|no such transaction/i.test(messageOf(err))) return undefined;
      throw classify(err, txId);
    }
    const code = processed.getValidationcode();
    const creator = creatorOf(processed);
    return {
      txId,
      blockNumber: String(block.getHeader()?.getNumber() ?? ''),
      valid: code === peer.TxValidationCode.VALID,
      validationCode: CODE_NAMES[code] ?? String(code),
      result: chaincodeResult(processed),
      ...(creator ? { creator } : {}),
    };
  }

  async seal(bytes: Uint8Array, deadline: number): Promise<CommittedTransaction> {
    // Already signed by its creator: the service identity only carries it (and asks for its status).
    const transaction = (await this.connection(this.options.serviceIdentity)).gateway.newTransaction(bytes);
    const txId = transaction.getTransactionId();
    try {
      // An ordering node that still holds the original answers "request already exists"; the peer's
      // gateway counts that as accepted.
      const submitted = await transaction.submit({ deadline });
      await submitted.getStatus({ deadline });
    } catch (err) {
      // SmartBFT nodes refuse a request they ordered recently ("request already processed"): it is in a
      // block, which the peer has or will have.
      if (!/request already processed/.test(messageOf(err))) throw classify(err, txId);
    }
    for (;;) {
      const found = await this.findTransaction(txId, deadline);
      if (found) return found;
      if (Date.now() >= deadline)
        throw new FabricFailure('timeout', `transaction ${txId} did not commit in time`, txId);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async events(from: EventPosition | undefined): Promise<EventStream> {
    const network = await this.network(this.options.serviceIdentity);
    const checkpoint = from && {
      getBlockNumber: () => from.blockNumber,
      getTransactionId: () => from.txId,
    };
    return stream(
      () => network.getChaincodeEvents(this.options.chaincode, checkpoint ? { checkpoint } : {}),
      (event): ChainEvent => ({
        blockNumber: event.blockNumber.toString(),
        txId: event.transactionId,
        name: event.eventName,
        payload: decode(event.payload),
      }),
    );
  }

  async blocks(startBlock: bigint): Promise<BlockStream> {
    const network = await this.network(this.options.serviceIdentity);
    return stream(
      () => network.getBlockAndPrivateDataEvents({ startBlock }),
      (event) => {
        const block = event.getBlock();
        if (!block) return undefined;
        const map = event.getPrivateDataMapMap();
        return decodeBlock(block, { get: (i) => map.get(i) });
      },
    );
  }

  async block(number: bigint, deadline: number): Promise<DecodedBlock> {
    const bytes = await this.qscc('GetBlockByNumber', [number.toString()], deadline);
    return decodeBlock(common.Block.deserializeBinary(bytes));
  }

  async transaction(txId: string, deadline: number): Promise<(DecodedTx & { blockNumber: string }) | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.qscc('GetBlockByTxID', [txId], deadline);
    } catch (err) {
      if (/not found|no such transaction|Failed to get block for txID/i.test(messageOf(err))) return undefined;
      throw err;
    }
    const block = decodeBlock(common.Block.deserializeBinary(bytes));
    const tx = block.txs.find((t) => t.txId === txId);
    return tx && { ...tx, blockNumber: block.number };
  }

  async height(deadline: number): Promise<bigint> {
    const info = common.BlockchainInfo.deserializeBinary(await this.qscc('GetChainInfo', [], deadline));
    return BigInt(info.getHeight());
  }

  private async qscc(fn: string, args: string[], deadline: number): Promise<Uint8Array> {
    const network = await this.network(this.options.serviceIdentity);
    try {
      return await network
        .getContract('qscc')
        .newProposal(fn, { arguments: [this.options.channel, ...args] })
        .evaluate({ deadline });
    } catch (err) {
      throw classify(err);
    }
  }

  async ping(deadline: number): Promise<void> {
    const network = await this.network(this.options.serviceIdentity);
    try {
      const qscc = network.getContract('qscc');
      await qscc.newProposal('GetChainInfo', { arguments: [this.options.channel] }).evaluate({ deadline });
    } catch (err) {
      throw classify(err);
    }
  }

  close(): void {
    for (const { gateway } of this.gateways.values()) gateway.close();
    this.gateways.clear();
    this.client.close();
  }

  private contract(connection: Connection, fn: string): Contract {
    const [name] = fn.split(':');
    return connection.gateway.getNetwork(this.options.channel).getContract(this.options.chaincode, name);
  }

  private async network(label: IdentityLabel): Promise<Network> {
    return (await this.connection(label)).gateway.getNetwork(this.options.channel);
  }

  /** The Gateway of a wallet identity; rebuilt when the wallet holds a new certificate (re-enrolment). */
  private async connection(label: IdentityLabel): Promise<Connection> {
    const identity = await this.options.wallet.get(label);
    let entry = this.gateways.get(label);
    if (!entry || entry.certificate !== identity.credentials.certificate) {
      entry?.gateway.close();
      const signer = this.signerOf(identity);
      const gateway = connect({
        client: this.client,
        identity: { mspId: identity.mspId, credentials: Buffer.from(identity.credentials.certificate) },
        signer,
        evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
        endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
        submitOptions: () => ({ deadline: Date.now() + 15_000 }),
        commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
      });
      entry = { certificate: identity.credentials.certificate, gateway, signer };
      this.gateways.set(label, entry);
    }
    return entry;
  }

  private signerOf(identity: WalletIdentity): Signer {
    if (identity.type === 'X.509')
      return signers.newPrivateKeySigner(createPrivateKey(identity.credentials.privateKey));
    if (!this.options.hsmSigner)
      throw new FabricFailure('identity', 'the wallet holds a key in an HSM, but no HSM is set up');
    return this.options.hsmSigner(identity.credentials.certificate);
  }

  /** Drops the cached Gateway of an identity (after revocation). */
  forget(label: IdentityLabel): void {
    this.gateways.get(label)?.gateway.close();
    this.gateways.delete(label);
  }
}

/**
 * A fabric-gateway event iterable as one of ours: items mapped (undefined ones skipped), errors
 * classified, and a cancelled call (our own `close`) ending the iteration instead of failing it.
 */
async function stream<S, T>(
  open: () => Promise<CloseableAsyncIterable<S>>,
  map: (item: S) => T | undefined,
): Promise<AsyncIterable<T> & { close(): void }> {
  let source: CloseableAsyncIterable<S>;
  try {
    source = await open();
  } catch (err) {
    throw classify(err);
  }
  return {
    close: () => source.close(),
    async *[Symbol.asyncIterator](): AsyncIterator<T> {
      try {
        for await (const item of source) {
          const mapped = map(item);
          if (mapped !== undefined) yield mapped;
        }
      } catch (err) {
        if ((err as { code?: number }).code === grpc.status.CANCELLED) return;
        throw classify(err);
      }
    },
  };
}

function method(fn: string): string {
  const [, name] = fn.split(':');
  if (!name) throw new Error(`${fn} is not Contract:Function`);
  return name;
}

function transient(value: unknown): Record<string, Uint8Array> | undefined {
  return value === undefined ? undefined : { payload: Buffer.from(JSON.stringify(value)) };
}

/**
 * A chaincode payload as the routes see it: nothing is null, a JSON object or array is parsed, anything
 * else is the string itself. The chaincode answers records as JSON and ids as bare text; parsing any text
 * that happens to be valid JSON would turn a transaction-derived id made only of digits (or digits around
 * one `e`) into a number.
 */
export function decode(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  if (text === '') return null;
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The chaincode's response payload inside a committed transaction envelope. */
function chaincodeResult(processed: peer.ProcessedTransaction): unknown {
  const payload = common.Payload.deserializeBinary(
    processed.getTransactionenvelope()?.getPayload_asU8() ?? new Uint8Array(),
  );
  const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const [action] = tx.getActionsList();
  if (!action) return null;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const prp = peer.ProposalResponsePayload.deserializeBinary(
    actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
  );
  const ccAction = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  return decode(ccAction.getResponse()?.getPayload_asU8() ?? new Uint8Array());
}

/** The signer of a committed transaction: its MSP and its certificate's common name. */
function creatorOf(processed: peer.ProcessedTransaction): TransactionCreator | undefined {
  try {
    const payload = common.Payload.deserializeBinary(
      processed.getTransactionenvelope()?.getPayload_asU8() ?? new Uint8Array(),
    );
    const signature = common.SignatureHeader.deserializeBinary(
      payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array(),
    );
    const identity = msp.SerializedIdentity.deserializeBinary(signature.getCreator_asU8());
    const subject = new X509Certificate(Buffer.from(identity.getIdBytes_asU8())).subject;
    const commonName = /^CN=(.*)$/m.exec(subject)?.[1];
    return commonName ? { mspId: identity.getMspid(), commonName } : undefined;
  } catch {
    // Not an X.509 creator (or not one this code can read): nobody is its sender for the status route.
    return undefined;
  }
}

function messageOf(err: unknown): string {
  const parts = [(err as Error).message ?? String(err)];
  if (err instanceof GatewayError) parts.push(...err.details.map((d) => d.message));
  return parts.join('; ');
}

/** Sorts a fabric-gateway or gRPC error into the kinds the HTTP layer maps, keeping what the peer said. */
export function classify(err: unknown, txId?: string): FabricFailure {
  if (err instanceof FabricFailure) return err;
  const text = messageOf(err);
  const cause = sanitiseCause(text);
  if (err instanceof CommitError) {
    const name = CODE_NAMES[err.code] ?? String(err.code);
    return new FabricFailure('invalid', `transaction committed as invalid: ${name}`, err.transactionId, name, cause);
  }
  const id = (err as { transactionId?: string }).transactionId ?? txId;
  // The chaincode puts its error code first; Fabric wraps it ("chaincode response 500, FORBIDDEN: ...").
  // Only the chaincode's own text counts: a gRPC status ("14 UNAVAILABLE: …") has the same shape and is
  // not a refusal. The refusal's text goes to the client; it is not logged again as a cause, since the
  // chaincode's messages may name balances.
  const coded = CHAINCODE_CODED.exec(text);
  if (coded) return new FabricFailure('chaincode', (coded[1] ?? '').split('; ')[0] ?? '', id);
  // The peer's own access control on a member-only collection: the caller named another operator's
  // customer, whose private records its org may not read. A refusal, as the chaincode's FORBIDDEN is.
  if (PRIVATE_DATA_DENIED.test(text)) {
    return new FabricFailure(
      'chaincode',
      "FORBIDDEN: the caller's organisation may not read the private data of an account it does not serve",
      id,
      undefined,
      cause,
    );
  }
  // Endorsers that simulated the same proposal against different private state (two writers updating
  // one private key at once) return write sets whose hashes differ, and the peer's gateway cannot
  // assemble a transaction: a conflict to retry, like MVCC, not an outage.
  // So do endorsers of which one has not received a private record the others hold yet (dissemination
  // and reconciliation catch it up): the same proposal shortly after succeeds.
  if (
    ENDORSEMENT_MISMATCH.test(text) ||
    PRIVATE_DATA_PENDING.test(text) ||
    (ENDORSEMENTS_SHORT.test(text) && !UNREACHABLE.test(text))
  ) {
    return new FabricFailure(
      'conflict',
      'the endorsing peers returned different results for a concurrently updated record',
      id,
      'ENDORSEMENT_MISMATCH',
      cause,
    );
  }
  const code = (err as { code?: number }).code;
  if (code === grpc.status.DEADLINE_EXCEEDED)
    return new FabricFailure('timeout', `Fabric did not answer in time`, id, undefined, cause);
  return new FabricFailure('unavailable', `Fabric call failed: ${text.split('\n')[0] ?? ''}`, id, undefined, cause);
}

const PRIVATE_DATA_DENIED = /does not have read access permission on privatedata/i;
/** The chaincode's own refusals: every shared error code, first in its message (`CODE: message`). */
const CHAINCODE_CODED = new RegExp(`chaincode response \\d+, ((?:${Object.values(ErrorCode).join('|')}): .*)`);
const PRIVATE_DATA_PENDING = /private data matching public hash version is not available/i;
const ENDORSEMENT_MISMATCH =
  /ProposalResponsePayloads do not match|endorsements? (?:do|did) not match|write ?sets? (?:do|did) not match/i;
const ENDORSEMENTS_SHORT = /failed to collect enough transaction endorsements/i;
/** Details that say an endorser could not be reached: then too few endorsements is an outage after all. */
const UNREACHABLE =
  /unavailable|connection refused|failed to connect|no connection|no peers? available|no endorsing peers|ECONNREFUSED/i;
