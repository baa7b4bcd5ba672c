import { expect } from 'chai';
import { CommandError, redact, run } from './exec';

describe('running commands', () => {
  it('names the CLI error line, not the usage text printed after it', () => {
    const output = [
      'WARN [grpc] Adjusting keepalive ping interval to minimum period of 10s',
      'Error: failed to retrieve broadcast client: orderer client failed to connect to 127.0.0.1:7150',
      'Usage:',
      '  peer lifecycle chaincode approveformyorg [flags]',
      ...Array.from({ length: 20 }, (_, i) => `      --flag${i} string   a flag`),
    ].join('\n');
    const err = new CommandError('peer lifecycle chaincode approveformyorg', 1, output);
    expect(err.message).to.equal(
      'peer lifecycle chaincode approveformyorg exited with 1: Error: failed to retrieve broadcast client: orderer client failed to connect to 127.0.0.1:7150',
    );
    expect(err.output).to.equal(output);
  });

  it('keeps the last lines of output when no line is marked as the error', async () => {
    const err = (await run('bash', ['-c', 'for i in $(seq 1 12); do echo line$i; done; exit 3']).catch(
      (e: unknown) => e,
    )) as CommandError;
    expect(err).to.be.instanceOf(CommandError);
    expect(err.exitCode).to.equal(3);
    expect(err.message).to.equal(
      `bash -c for i in $(seq 1 12); do echo line$i; done; exit 3 exited with 3: ${['line5', 'line6', 'line7', 'line8', 'line9', 'line10', 'line11', 'line12'].join('\n')}`,
    );
  });

  it('never names an enrollment secret in the command it reports', async () => {
    const err = (await run('bash', ['-c', 'exit 1', 'https://peer0:s3cr3t-Xy@127.0.0.1:7054']).catch(
      (e: unknown) => e,
    )) as CommandError;
    expect(err.message).not.to.contain('s3cr3t-Xy');
    expect(err.command).to.contain('https://peer0:***@127.0.0.1:7054');
  });

  it('keeps registration secrets out of error messages: the --id.secret argument and the command output', () => {
    expect(redact('fabric-ca-client register --id.name acct-a --id.secret s3cr3t -u https://admin:pw@h:1')).to.equal(
      'fabric-ca-client register --id.name acct-a --id.secret *** -u https://admin:***@h:1',
    );
    const err = new CommandError(
      'fabric-ca-client enroll',
      1,
      'Error: enroll https://acct-a:s3cr3t@127.0.0.1:7054 failed',
    );
    expect(err.message).not.to.contain('s3cr3t');
  });
});
