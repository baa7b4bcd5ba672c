import * as grpc from '@grpc/grpc-js';
import { EndorseError } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { classify, decode } from './gateway';

/** An endorsement failure as fabric-gateway raises it: a gRPC status, its message, per-peer details. */
function endorseError(code: number, message: string, details: string[]): EndorseError {
  const cause = Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
  return new EndorseError({
    code,
    message,
    transactionId: 'ab'.repeat(32),
    cause: cause as unknown as grpc.ServiceError,
    details: details.map((m, i) => ({ address: `peer${i}:7051`, mspId: `Org${i}MSP`, message: m })),
  });
}

describe('classify: Fabric errors into what they mean', () => {
  it("maps a peer's refusal to read another operator's private data to FORBIDDEN, not an outage", () => {
    const failure = classify(
      endorseError(
        grpc.status.ABORTED,
        '10 ABORTED: failed to endorse transaction, see attached details for more info',
        [
          'chaincode response 500, tx creator does not have read access permission on privatedata in chaincodeName:market collectionName: pdcOperatorA',
        ],
      ),
    );
    expect(failure.kind).to.equal('chaincode');
    expect(failure.message).to.match(/^FORBIDDEN: /);
    expect(failure.message, 'the collection (and so the operator) stays out of the answer').not.to.contain('pdc');
    expect(failure.upstream).to.contain('does not have read access permission on privatedata');
  });

  it('maps endorsers disagreeing on a private write set to a conflict to retry', () => {
    const failure = classify(
      endorseError(
        grpc.status.ABORTED,
        '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
        ['ProposalResponsePayloads do not match (base64): ' + 'Q'.repeat(200)],
      ),
    );
    expect(failure).to.include({ kind: 'conflict', validationCode: 'ENDORSEMENT_MISMATCH' });
    expect(failure.upstream).to.contain('ProposalResponsePayloads do not match (base64): [bytes]');
  });

  it('maps an endorser that has not yet received a private record to a conflict to retry', () => {
    const failure = classify(
      endorseError(grpc.status.ABORTED, '10 ABORTED: failed to endorse transaction', [
        'chaincode response 500, GET_STATE failed: transaction ID: ' +
          'ab'.repeat(32) +
          ': private data matching public hash version is not available. Public hash version = {BlockNum: 12, TxNum: 0}',
      ]),
    );
    expect(failure).to.include({ kind: 'conflict', validationCode: 'ENDORSEMENT_MISMATCH' });
  });

  it('recognises every shared error code as the chaincode’s own refusal', () => {
    for (const code of ['LIMIT_EXCEEDED', 'UNAVAILABLE', 'COMPLIANCE']) {
      const failure = classify(
        endorseError(grpc.status.ABORTED, '10 ABORTED: failed to endorse transaction', [
          `chaincode response 500, ${code}: refused`,
        ]),
      );
      expect(failure, code).to.include({ kind: 'chaincode' });
      expect(failure.message).to.equal(`${code}: refused`);
    }
  });

  it('keeps too few endorsements because a peer is down an outage', () => {
    const failure = classify(
      endorseError(
        grpc.status.ABORTED,
        '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info',
        ['failed to connect to peer1: connection refused'],
      ),
    );
    expect(failure.kind).to.equal('unavailable');
  });

  it("keeps the chaincode's own refusal as the answer, and logs no cause for it (its text may name balances)", () => {
    const failure = classify(
      endorseError(grpc.status.ABORTED, '10 ABORTED: failed to endorse transaction', [
        'chaincode response 500, COMPLIANCE: INSUFFICIENT_BALANCE: balance 1234 is below 5000',
      ]),
    );
    expect(failure).to.include({ kind: 'chaincode' });
    expect(failure.message).to.equal('COMPLIANCE: INSUFFICIENT_BALANCE: balance 1234 is below 5000');
    expect(failure.upstream).to.equal(undefined);
  });

  it('reads a gRPC status as a transport failure, never as the chaincode refusing', () => {
    const cause = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: grpc.status.UNAVAILABLE,
    });
    const failure = classify(cause);
    expect(failure.kind).to.equal('unavailable');
    const internal = classify(Object.assign(new Error('13 INTERNAL: stream reset'), { code: grpc.status.INTERNAL }));
    expect(internal.kind).to.equal('unavailable');
  });
});

describe('chaincode payload decoding', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it('parses JSON records and lists, and answers null for an empty payload', () => {
    expect(decode(bytes('{"instructionId":"a","outcome":"SETTLED"}'))).to.deep.equal({
      instructionId: 'a',
      outcome: 'SETTLED',
    });
    expect(decode(bytes('[1,2]'))).to.deep.equal([1, 2]);
    expect(decode(new Uint8Array())).to.equal(null);
  });

  it('keeps a transaction-derived id a string even when it reads as a JSON number', () => {
    for (const id of ['1'.repeat(64), `${'1'.repeat(30)}e${'2'.repeat(33)}`, 'ab'.repeat(32)])
      expect(decode(bytes(id))).to.equal(id);
  });
});
