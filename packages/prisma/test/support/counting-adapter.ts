/**
 * Wraps a Prisma driver-adapter factory so every SQL statement sent to the database is recorded,
 * failed ones included (Prisma's own query log omits a statement the database refused). This is what
 * the README's "statements per request" numbers are measured with.
 */
export interface StatementLog {
  statements: string[];
  transactions: number;
  reset(): void;
}

type Queryable = { queryRaw(query: { sql: string }): Promise<unknown>; executeRaw(query: { sql: string }): Promise<unknown> };
type Adapter = Queryable & { startTransaction(...args: unknown[]): Promise<Queryable> };
type Factory = { connect(): Promise<Adapter> };

export function countStatements<F extends object>(factory: F): { adapter: F; log: StatementLog } {
  const log: StatementLog = {
    statements: [],
    transactions: 0,
    reset() {
      this.statements.length = 0;
      this.transactions = 0;
    },
  };
  const record = <Q extends Queryable>(target: Q): Q =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'queryRaw' || property === 'executeRaw') {
          return (query: { sql: string }) => {
            log.statements.push(query.sql);
            return value.call(object, query);
          };
        }
        if (property === 'startTransaction') {
          return async (...args: unknown[]) => {
            log.transactions++;
            return record(await value.apply(object, args));
          };
        }
        return value.bind(object);
      },
    });
  const adapter = new Proxy(factory as F & Factory, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property === 'connect') return async () => record(await (value as Factory['connect']).call(object));
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return { adapter, log };
}
