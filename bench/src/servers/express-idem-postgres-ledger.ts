/** Plain mode: @idem/sql on PostgreSQL, the handler's ledger row written on its own (autocommit), apart from the record. */
import { INSERT_ROW, serveLedgerApp } from './postgres-ledger';

await serveLedgerApp((pool) => async (_req, amount) => void (await pool.query(INSERT_ROW, [amount ?? null])));
