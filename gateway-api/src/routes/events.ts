import { Router, type Request, type Response } from 'express';
import { principalOf } from '../auth/principal';
import { auditPort, type GatewayDeps } from '../deps';
import { filterAuditEvent, filterEvent } from '../events/visibility';
import type { EventPosition, FabricPort } from '../fabric/types';
import { ApiError, GatewayCode } from '../problem';

const POSITION = /^([0-9]{1,19}):([0-9a-f]{64})$/;

/**
 * GET /v1/events: the org's view of the market's chaincode events as Server-Sent Events. Each event's
 * id is `<block>:<txId>`; a client that reconnects with Last-Event-ID resumes right after it, because
 * the id is handed to fabric-gateway as the checkpoint to restart the peer's event stream from.
 */
export function eventsRouter(deps: GatewayDeps): Router {
  const router = Router();
  router.get('/v1/events', async (req: Request, res: Response) => {
    await stream(deps, deps.fabric, req, res, (payload) => filterEvent(deps.org, payload));
  });
  router.get('/v1/audit/events', async (req: Request, res: Response) => {
    await stream(deps, auditPort(deps), req, res, (payload) => filterAuditEvent(deps.org, payload));
  });
  return router;
}

async function stream(
  deps: GatewayDeps,
  port: FabricPort,
  req: Request,
  res: Response,
  filter: (payload: unknown) => Record<string, unknown> | undefined,
): Promise<void> {
  const principal = principalOf(req);
  if (!principal.scopes.includes('events'))
    throw new ApiError(GatewayCode.FORBIDDEN, 'the credential lacks the events scope');
  if (principal.accountId !== undefined) {
    throw new ApiError(
      GatewayCode.FORBIDDEN,
      "the event stream is the org's; customer credentials read their own records",
    );
  }
  const from = positionOf(req);
  const events = await port.events(from);
  res.status(200).set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(': stream open\n\n');
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const stop = () => {
    clearInterval(keepAlive);
    events.close();
  };
  req.on('close', stop);
  try {
    for await (const event of events) {
      const visible = filter(event.payload);
      if (!visible) continue;
      const data = JSON.stringify({ blockNumber: event.blockNumber, txId: event.txId, event: visible });
      res.write(`id: ${event.blockNumber}:${event.txId}\nevent: ${event.name}\ndata: ${data}\n\n`);
    }
  } catch (err) {
    deps.logger.warn('event stream ended', { requestId: res.get('X-Request-Id'), error: (err as Error).name });
    res.write(`event: error\ndata: ${JSON.stringify({ code: GatewayCode.UNAVAILABLE })}\n\n`);
  } finally {
    stop();
    res.end();
  }
}

function positionOf(req: Request): EventPosition | undefined {
  const resume = req.get('Last-Event-ID') ?? (typeof req.query.after === 'string' ? req.query.after : undefined);
  if (resume !== undefined) {
    const m = POSITION.exec(resume);
    if (!m)
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'Last-Event-ID must be <block>:<txId> as this stream sent it');
    return { blockNumber: BigInt(m[1] as string), txId: m[2] as string };
  }
  const fromBlock = req.query.fromBlock;
  if (fromBlock !== undefined) {
    if (typeof fromBlock !== 'string' || !/^[0-9]{1,19}$/.test(fromBlock)) {
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'fromBlock must be a block number');
    }
    return { blockNumber: BigInt(fromBlock) };
  }
  return undefined;
}
