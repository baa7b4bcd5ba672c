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

/** Polls a read until it satisfies `ok` (or fails with what it last saw); returns that value. */
export async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: last saw ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
