import { createApp } from './app';
import { openDatabase } from './db';

const file = process.env.DATABASE_FILE ?? 'orders.db';
const port = Number(process.env.PORT ?? 3000);

const prisma = openDatabase(file);
createApp(prisma).listen(port, () => console.log(`orders API on http://localhost:${port}`));
