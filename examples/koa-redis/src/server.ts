import { createApp } from './app';
import { openStore } from './store';

const url = process.env.REDIS_URL ?? process.env.IDEM_REDIS_URL ?? 'redis://127.0.0.1:6379';
const port = Number(process.env.PORT ?? 3000);

const { store } = openStore(url);
createApp(store).listen(port, () => console.log(`payments API on http://localhost:${port}`));
