import { postgresDatabase } from './databases';
import { describeSqlStore } from './sql-store-behaviour';

describeSqlStore(postgresDatabase());
