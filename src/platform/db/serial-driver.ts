import type { DatabaseConnection, Driver, TransactionSettings } from 'kysely';

/**
 * PGlite is one connection. Kysely's PGlite driver hands that connection to every caller
 * at once, so a query from one request would run inside another request's open
 * transaction. This wrapper makes the connection exclusive: a caller holds it from
 * acquire to release, exactly like a pool of size one.
 */
export class SerialDriver implements Driver {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  /** Runs `fn` while holding the connection, for work that bypasses Kysely (migrations). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.#lock();
    try {
      return await fn();
    } finally {
      this.#unlock();
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock();
    try {
      return await this.inner.acquireConnection();
    } catch (error) {
      this.#unlock();
      throw error;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      this.#unlock();
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  savepoint: Driver['savepoint'] = (...args) => this.inner.savepoint!(...args);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (...args) => this.inner.rollbackToSavepoint!(...args);
  releaseSavepoint: Driver['releaseSavepoint'] = (...args) => this.inner.releaseSavepoint!(...args);

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  async #lock(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
  }

  #unlock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
