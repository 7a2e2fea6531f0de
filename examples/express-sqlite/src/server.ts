import { createApp } from './app';
import { openStore } from './store';

const url = process.env.DATABASE_FILE ?? 'payments.db';
const port = Number(process.env.PORT ?? 3000);

openStore(url).then(({ store }) => {
  createApp(store).listen(port, () => console.log(`payments API on http://localhost:${port}`));
});
