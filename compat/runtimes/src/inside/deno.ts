/** The scenario app served by Deno's own HTTP server, with the memory and Redis stores. */
import { scenarioRuntime } from './scenario-app';
import { serverStores } from './server-stores';

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { hostname: string; port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

Deno.serve(
  { hostname: '127.0.0.1', port: 0, onListen: ({ hostname, port }) => console.log(`listening http://${hostname}:${port}`) },
  scenarioRuntime(serverStores),
);
