import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type FabricCAServices from 'fabric-ca-client';

/**
 * fabric-ca-client adds a 'timeout' listener to the socket of every request and never removes it. Since
 * Node 19 the default agents keep sockets alive, so one socket collects a listener (and the closure of its
 * finished request) per CA call: the `MaxListenersExceededWarning` on a TLSSocket that an operator's
 * gateway logs after about ten onboardings, and a slow leak. CA calls are rare (onboarding, renewal,
 * revocation), so each gets its own connection, and the listeners go with it.
 */
const agents = {
  http: new HttpAgent({ keepAlive: false }),
  https: new HttpsAgent({ keepAlive: false }),
};

type Send = (options: RequestOptions, callback?: (res: IncomingMessage) => void) => ClientRequest;

interface Transport {
  request: Send;
}

/** The library's one HTTP seam (`FabricCAClient._httpClient`), present since fabric-ca-client 2.0. */
interface WithTransport {
  _fabricCAClient?: { _httpClient?: Transport };
}

export function withoutKeepAlive(ca: FabricCAServices): FabricCAServices {
  const client = (ca as unknown as WithTransport)._fabricCAClient;
  if (!client?._httpClient) throw new Error('fabric-ca-client changed: no HTTP client to configure');
  const secure = client._httpClient.request === httpsRequest;
  const agent = secure ? agents.https : agents.http;
  const send: Send = secure ? httpsRequest : httpRequest;
  client._httpClient = { request: (options, callback) => send({ ...options, agent }, callback) };
  return ca;
}
