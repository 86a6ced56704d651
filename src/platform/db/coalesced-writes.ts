import type pg from 'pg';

// node-postgres writes each statement to its socket as soon as it is queued: one system call
// per statement, even when several go out together (a BEGIN held for the statement after it,
// statements sent ahead of a COMMIT). In the checkout bench that was eight writes per sale,
// and writev alone took over a quarter of the server's CPU profile on a virtual machine whose
// system calls are dear. Here the socket is corked when a statement is queued and uncorked on
// the next tick, after the microtasks that queue the statements behind it have run: what one
// piece of work sends without waiting leaves in one write. A statement that waits for its
// answer cannot be held back by this, as the tick comes before any wait for I/O.

type Query = (...args: unknown[]) => unknown;

/** The socket a pg client writes to: not in pg's types, present on every connected client. */
const socketOf = (client: pg.ClientBase) =>
  (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection
    ?.stream;

/** Makes `client` gather what it sends in one turn of the event loop into one write. */
export function coalesceWrites(client: pg.ClientBase): void {
  const socket = socketOf(client);
  if (typeof socket?.cork !== 'function' || typeof socket.uncork !== 'function') return;
  const send = client.query.bind(client) as Query;
  let corked = false;
  const flush = () => {
    corked = false;
    socket.uncork!();
  };
  const query: Query = (...args) => {
    if (!corked) {
      corked = true;
      socket.cork!();
      process.nextTick(flush);
    }
    return send(...args);
  };
  (client as unknown as { query: Query }).query = query;
}
