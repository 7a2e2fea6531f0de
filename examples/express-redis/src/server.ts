import { createApp } from './app';
import { openStore } from './store';

const url = process.env.REDIS_URL ?? process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379';
const port = Number(process.env.PORT ?? 3000);
const store = openStore(url);

const server = createApp(store).listen(port, () => console.log(`payments API on http://localhost:${port}`));

// Stop accepting requests, then close the Redis connection the store opened.
process.once('SIGINT', () => server.close(() => void store.close()));
process.once('SIGTERM', () => server.close(() => void store.close()));
