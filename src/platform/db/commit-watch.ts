import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  InsertQueryNode,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { handOver, isSentAhead, PendingAnswers } from './send-ahead.js';

const ON_COMMIT = Symbol('onCommit');

/** A statement never sent: it hands its hook to the connection that would have run it. */
type OnCommitMarker = CompiledQuery & { [ON_COMMIT]: () => void };

/**
 * Runs `hook` once the transaction `trx` has committed, and never if it rolls back (a
 * retried transaction's earlier attempts included); outside a transaction, at once. For
 * what must follow only work that was kept, such as counting payments. A rollback to a
 * savepoint does not drop a hook registered after it. Costs no round trip; needs a database
 * opened by this platform (its driver is a CommitWatchDriver).
 */
export async function onCommit(trx: Kysely<object>, hook: () => void): Promise<void> {
  const marker: OnCommitMarker = { ...CompiledQuery.raw(''), [ON_COMMIT]: hook };
  await trx.executeQuery(marker);
}

const hookOf = (compiled: CompiledQuery) => (compiled as Partial<OnCommitMarker>)[ON_COMMIT];

/**
 * Hooks run after a commit that inserted into a watched table (or right after such an
 * insert outside a transaction). Nothing runs for a rollback. Only inserts built with
 * Kysely's insertInto are seen, not raw SQL.
 */
export class CommitWatch {
  private readonly hooks = new Map<string, Set<() => void>>();

  /** Calls `hook` after every commit that inserted into `table`; returns the unsubscribe. */
  on(table: string, hook: () => void): () => void {
    const hooks = this.hooks.get(table) ?? new Set();
    this.hooks.set(table, hooks);
    hooks.add(hook);
    return () => void hooks.delete(hook);
  }

  watches(table: string): boolean {
    return (this.hooks.get(table)?.size ?? 0) > 0;
  }

  fire(tables: Iterable<string>): void {
    for (const table of tables) for (const hook of this.hooks.get(table) ?? []) hook();
  }
}

interface ConnectionState {
  inner: DatabaseConnection;
  inTransaction: boolean;
  /** Watched tables the open transaction inserted into. */
  written: Set<string>;
  /** What onCommit registered in the open transaction. */
  hooks: (() => void)[];
  /** Statements of the open transaction sent ahead (send-ahead.ts), not yet answered. */
  ahead: PendingAnswers;
}

/**
 * A driver that tells a CommitWatch when a transaction that inserted into a watched table
 * has committed: the moment another process can see the rows, which nothing inside the
 * transaction (a trigger's NOTIFY included) can announce without holding up the commit.
 */
export class CommitWatchDriver implements Driver {
  // One wrapper per connection: Kysely keeps per-connection state keyed by the object.
  readonly #wrappers = new WeakMap<DatabaseConnection, DatabaseConnection>();
  readonly #states = new WeakMap<DatabaseConnection, ConnectionState>();

  constructor(
    private readonly inner: Driver,
    private readonly watch: CommitWatch,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await this.inner.acquireConnection();
    let wrapper = this.#wrappers.get(inner);
    if (!wrapper) {
      const state: ConnectionState = {
        inner,
        inTransaction: false,
        written: new Set(),
        hooks: [],
        ahead: new PendingAnswers(),
      };
      wrapper = {
        executeQuery: async <R>(compiled: CompiledQuery): Promise<QueryResult<R>> => {
          const hook = hookOf(compiled);
          if (hook) {
            if (state.inTransaction) state.hooks.push(hook);
            else hook();
            return { rows: [] };
          }
          if (state.inTransaction && isSentAhead(compiled)) {
            const answer = inner.executeQuery(compiled);
            state.ahead.add(answer);
            handOver(compiled, answer);
            this.#noteInsert(state, compiled);
            return { rows: [] };
          }
          const result = await state.ahead.before(inner.executeQuery<R>(compiled));
          this.#noteInsert(state, compiled);
          return result;
        },
        streamQuery: (compiled, chunkSize) => inner.streamQuery(compiled, chunkSize),
      };
      this.#wrappers.set(inner, wrapper);
      this.#states.set(wrapper, state);
    }
    return wrapper;
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(this.#state(connection).inner);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const state = this.#state(connection);
    await this.inner.beginTransaction(state.inner, settings);
    state.inTransaction = true;
    state.written.clear();
    state.hooks = [];
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const state = this.#state(connection);
    const written = [...state.written];
    const hooks = state.hooks;
    state.inTransaction = false;
    state.written.clear();
    state.hooks = [];
    await state.ahead.before(this.inner.commitTransaction(state.inner));
    this.watch.fire(written);
    for (const hook of hooks) {
      // The transaction has committed: a failing hook must not make it look as if it had not.
      try {
        hook();
      } catch (error) {
        process.emitWarning(error as Error, 'OnCommitHookFailed');
      }
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const state = this.#state(connection);
    state.inTransaction = false;
    state.written.clear();
    state.hooks = [];
    const rollback = this.inner.rollbackTransaction(state.inner);
    await state.ahead.settle();
    await rollback;
  }

  // A rollback to a savepoint may undo a watched insert: a hook that runs anyway costs one
  // needless look, never a missed one.
  savepoint: Driver['savepoint'] = (connection, ...rest) => {
    const state = this.#state(connection);
    return state.ahead.before(this.inner.savepoint!(state.inner, ...rest));
  };
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, ...rest) => {
    const state = this.#state(connection);
    return state.ahead.before(this.inner.rollbackToSavepoint!(state.inner, ...rest));
  };
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, ...rest) => {
    const state = this.#state(connection);
    return state.ahead.before(this.inner.releaseSavepoint!(state.inner, ...rest));
  };

  /** Remembers (or, outside a transaction, announces) an insert into a watched table. */
  #noteInsert(state: ConnectionState, compiled: CompiledQuery): void {
    const table = insertedTable(compiled);
    if (table === undefined || !this.watch.watches(table)) return;
    if (state.inTransaction) state.written.add(table);
    else this.watch.fire([table]);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  #state(connection: DatabaseConnection): ConnectionState {
    const state = this.#states.get(connection);
    if (!state) throw new Error('a connection this driver did not hand out');
    return state;
  }
}

const insertedTable = (compiled: CompiledQuery): string | undefined =>
  InsertQueryNode.is(compiled.query) ? compiled.query.into?.table.identifier.name : undefined;
