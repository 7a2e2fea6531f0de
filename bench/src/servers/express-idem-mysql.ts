/** Express + @idem/express on @idem/sql with MySQL / MariaDB (mysql2); statements counted through a wrapped pool. */
import { idempotency } from '@idem/express';
import { SqlStore, mysql } from '@idem/sql';
import { benchEnv, createBenchApp, serve, stats } from './bench-app';
import { countedMysqlPool } from './counted-clients';

const { pool, close } = countedMysqlPool();
const store = new SqlStore({ dialect: mysql(pool), table: benchEnv.pgTable });
await store.migrate();
stats.statements = 0;
serve(createBenchApp({ protect: [idempotency({ store })] }), close);
