import { serve } from '@hono/node-server';
import { handle } from './app';

const port = Number(process.env.PORT ?? 3000);

// @hono/node-server is used here only as a plain Fetch-to-node:http adapter.
serve({ fetch: handle, port }, () => console.log(`payments API on http://localhost:${port}`));
