import { IsolatedNetwork } from '@ecf/network';

/** A network instance of its own for a test suite (see IsolatedNetwork). */
export class TestNetwork extends IsolatedNetwork {
  constructor(portShift = 10_000) {
    super(portShift);
  }
}
