/**
 * Signals that an ordering node took the transaction but it never reached the peer, or that the node could
 * not be reached: another node may still order it. Seen after an ordering node restarts, when it can sit
 * out of consensus for tens of seconds until it next synchronises.
 */
export const ORDERING_NOT_DONE =
  /timed out waiting for txid|broadcast client|orderer client failed to connect|failed to send transaction|SERVICE_UNAVAILABLE/i;

export interface FailoverSteps<T> {
  /** Sends the transaction through one ordering node; rejects when it was not ordered. */
  send(node: T): Promise<void>;
  /** Asked before each retry: a transaction that timed out may still have committed. */
  done(): Promise<boolean>;
  /** Told when a node is passed over, with the reason. */
  skipped(node: T, next: T, reason: string): void;
}

/**
 * Tries the ordering nodes in order until one orders the transaction. Errors that say nothing about
 * ordering (a refused definition, a bad argument) are thrown at once: another node would refuse them too.
 */
export async function throughOrdering<T>(nodes: readonly T[], steps: FailoverSteps<T>): Promise<void> {
  for (const [i, node] of nodes.entries()) {
    if (i > 0 && (await steps.done())) return;
    try {
      await steps.send(node);
      return;
    } catch (err) {
      // A retry can be refused because the attempt before it landed late (a commit of a sequence that is
      // by now committed): that is success.
      if (i > 0 && (await steps.done())) return;
      const next = nodes[i + 1];
      const message = (err as Error).message;
      if (next === undefined || !ORDERING_NOT_DONE.test(message)) throw err;
      steps.skipped(node, next, reasonOf(message));
    }
  }
  throw new Error('no ordering node to submit through');
}

/** The peer CLI's own `Error: ...` line, without its log noise. */
function reasonOf(message: string): string {
  const line = message.split('\n').find((l) => l.startsWith('Error:')) ?? message.split('\n')[0] ?? '';
  return line.replace(/^Error:\s*/, '');
}
