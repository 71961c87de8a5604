// Extra routes on Probot's server: `/healthz` for load balancers and orchestrators, `/metrics` for Prometheus.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gate } from './gate.js';

export function gateRoutes(gate: Pick<Gate, 'metrics' | 'closed'>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      // Draining during shutdown: take this replica out of rotation.
      const status = gate.closed ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: gate.closed ? 'stopping' : 'ok' }));
      return true;
    }
    if (path === '/metrics') {
      const body = await gate.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': gate.metrics.registry.contentType }).end(body);
      return true;
    }
    return false;
  };
}
