import { serve } from '@hono/node-server';
import { createApp } from './app';
import { openStore } from './store';

const file = process.env.DATABASE_FILE ?? 'payments.db';
const port = Number(process.env.PORT ?? 3000);

openStore(file).then(({ store }) => {
  serve({ fetch: createApp(store).fetch, port }, () => console.log(`payments API on http://localhost:${port}`));
});
