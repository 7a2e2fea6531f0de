import { sqliteDatabase } from './databases';
import { describeSqlStore } from './sql-store-behaviour';

describeSqlStore(sqliteDatabase());
