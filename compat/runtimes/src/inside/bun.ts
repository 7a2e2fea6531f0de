/** The scenario app served by Bun's own HTTP server, with the memory and Redis stores. */
import { scenarioRuntime } from './scenario-app';
import { serverStores } from './server-stores';

declare const Bun: { serve(options: { hostname: string; port: number; fetch: (request: Request) => Promise<Response> }): { url: URL } };

const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: scenarioRuntime(serverStores) });
console.log(`listening ${server.url.origin}`);
