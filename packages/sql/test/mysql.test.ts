import { mysqlDatabase } from './databases';
import { describeSqlStore } from './sql-store-behaviour';

describeSqlStore(mysqlDatabase());
