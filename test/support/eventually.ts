import { expect } from 'chai';

/**
 * A submit returns once the client's own gateway peer has committed the block; the other orgs' peers commit
 * it moments later. A read through another org's peer therefore polls until it sees the expected value,
 * and fails with what it last saw.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  expected: T,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: T = await read();
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    seen = await read();
  }
  expect(seen, what).to.deep.equal(expected);
}
