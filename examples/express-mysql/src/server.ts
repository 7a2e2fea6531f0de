import { createApp } from './app';
import { openStore } from './store';

const url = process.env.DATABASE_URL ?? process.env.IDEM_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const port = Number(process.env.PORT ?? 3000);

openStore(url).then(({ store }) => {
  createApp(store).listen(port, () => console.log(`payments API on http://localhost:${port}`));
});
