import { postgresJsDatabase } from './databases';
import { describeSqlStore } from './sql-store-behaviour';

describeSqlStore(postgresJsDatabase());
