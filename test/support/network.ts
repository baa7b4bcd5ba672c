import { CommandError, IsolatedNetwork, type NetworkStatus } from '@ecf/network';

/**
 * A network instance of its own for a test suite (see IsolatedNetwork). ECF_TEST_PORT_SHIFT moves a
 * single suite's run to another port range, so two developers' runs on one machine do not collide.
 * Every shift keeps the ports below the kernel's ephemeral range (32768–60999), where an outgoing
 * loopback connection could already hold the port.
 */
export class TestNetwork extends IsolatedNetwork {
  constructor(portShift = 10_000) {
    const shift = Number(process.env.ECF_TEST_PORT_SHIFT ?? portShift);
    if (!Number.isInteger(shift) || 7_000 + shift + 1_000 > 32_768)
      throw new Error(`port shift ${shift} would reach the ephemeral port range`);
    super(shift);
  }

  /** `status --json`: the CLI exits 3 while a node is down, and its JSON is still the answer. */
  async status(): Promise<NetworkStatus> {
    const out = await this.cli('status', '--json').catch((err: unknown) => {
      if (err instanceof CommandError) return err.output;
      throw err;
    });
    return JSON.parse(out.slice(out.indexOf('{'))) as NetworkStatus;
  }
}
