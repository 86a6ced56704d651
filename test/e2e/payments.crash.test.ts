import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { callApi, type Envelope, type Reply } from '../helpers/http.js';
import { CrashableServer, freePort, sleep } from '../helpers/crashable-server.js';
import type { PaymentJson } from '../helpers/payments.js';
import { testDatabase } from '../helpers/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * Crash safety of checkout: concurrent checkouts run against a `mamlaka start` process
 * that is killed with SIGKILL at random moments and started again on the same data
 * directory (PGlite) or database (PostgreSQL). Whatever the crashes interrupted, the
 * ledger must reconcile, stock + units sold must equal the initial stock, and nothing the
 * server acknowledged to a client may be lost.
 */

const INITIAL_STOCK = 500;
const PRICE = 1000;
const SELLER_SHARE = 975; // PRICE less PLATFORM_FEE_BPS 250 (2.5 %)
const FUNDS = 10_000_000;
const BUYERS = 8;
const LOOPS = 16;
const ROUNDS = 4;
const PASSWORD = 'correct horse battery';

const call = callApi;

/** The same call, which must answer `status`. */
async function must<T>(status: number, ...args: Parameters<typeof call>): Promise<Envelope<T>> {
  const reply = await call<T>(...args);
  if (reply.status !== status) {
    throw new Error(`${args[1]} ${args[2]} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return reply.body;
}

interface Ack {
  id: string;
  buyer: string;
  key: string | undefined;
  quantity: number;
  total_amount: string;
  round: number;
}

describe('checkout survives SIGKILL of the server', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-crash-'));
  let database: TestDatabase | undefined;
  let server: CrashableServer | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (testDatabase() === 'postgres') database = await createTestDatabase();
    env = {
      DATA_DIR: dataDir,
      DATABASE_URL: database?.url ?? '',
      LOG_LEVEL: 'warn',
      PLATFORM_FEE_BPS: '250',
      RATE_LIMIT_PER_USER: '10000000',
      // The all-in-one server would default to its local Midtrans; these checkouts pay from wallets.
      DEFAULT_PAYMENT_METHOD: 'wallet',
      RATE_LIMIT_LOGIN_PER_IP: '10000000',
      RATE_LIMIT_REGISTER_PER_IP: '10000000',
    };
  });

  afterAll(async () => {
    await server?.kill();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps the ledger balanced and the stock whole through ${ROUNDS} crashes under load`, async ({
    onTestFailed,
  }) => {
    server = new CrashableServer(env, await freePort());
    const srv = server;
    onTestFailed(() => console.log(`server output:${srv.output()}`));
    await srv.start();
    const url = srv.url;

    // --- the cast, through the HTTP API ---
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const signUp = async (role: 'buyer' | 'seller', n: number) => {
      const email = `${role}${n}.${run}@example.com`;
      await must(201, url, 'POST', '/users/register', {
        body: { name: `${role} ${n}`, email, role, password: PASSWORD, confirm_password: PASSWORD },
      });
      const login = await must<{ id: string; token: string }>(200, url, 'POST', '/users/login', {
        body: { email, password: PASSWORD },
      });
      return login.results;
    };
    const seller = await signUp('seller', 0);
    const product = (
      await must<{ id: string; stock: number }>(201, url, 'POST', '/products', {
        token: seller.token,
        body: { name: 'Kopi crash test', price: String(PRICE), stock: INITIAL_STOCK },
      })
    ).results;
    const buyers = await Promise.all(
      Array.from({ length: BUYERS }, async (_, n) => {
        const buyer = await signUp('buyer', n);
        await must(201, url, 'POST', '/wallet/top-ups', {
          token: buyer.token,
          body: { amount: String(FUNDS), currency: 'IDR', method: 'test' },
        });
        return buyer;
      }),
    );
    const adminEmail = `admin.${run}@example.com`;
    const created = await runCli(
      ['users', 'create-admin', '--email', adminEmail, '--password', 'operator secret 1'],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const admin = (
      await must<{ token: string; role: string }>(200, url, 'POST', '/users/login', {
        body: { email: adminEmail, password: 'operator secret 1' },
      })
    ).results;
    expect(admin.role).toBe('admin');

    // --- the load: checkouts from concurrent loops, half of them with Idempotency-Key ---
    const acks = new Map<string, Ack>();
    const keyed = new Map<string, string>(); // Idempotency-Key → the payment acknowledged for it
    const unexpected: string[] = [];
    const abandonedKeys: string[] = [];
    const stats = { attempts: 0, answered: 0, dropped: 0, replays: 0, outOfStock: 0, inFlight: 0 };
    let round = 0;
    let stopping = false;
    let up = true; // the loops send only while a server generation is up, so no stray process answers them

    const acknowledge = (buyer: string, key: string | undefined, payment: PaymentJson, replayed: boolean) => {
      if (replayed) stats.replays += 1;
      if (key !== undefined) {
        const earlier = keyed.get(key);
        if (earlier !== undefined && earlier !== payment.id)
          unexpected.push(`key ${key} acknowledged two payments: ${earlier} and ${payment.id}`);
        keyed.set(key, payment.id);
      }
      const known = acks.get(payment.id);
      if (known && known.key !== key) unexpected.push(`payment ${payment.id} acknowledged to two requests`);
      if (!known)
        acks.set(payment.id, {
          id: payment.id,
          buyer,
          key,
          quantity: payment.quantity,
          total_amount: payment.total_amount,
          round,
        });
    };

    const loop = async (index: number) => {
      const buyer = buyers[index % BUYERS]!;
      const idempotent = index % 2 === 0;
      for (let n = 0; !stopping; n++) {
        const key = idempotent ? `crash-${index}-${n}` : undefined;
        // A careful client retries a dropped request with the same key until it gets an answer.
        for (let retry = false; ; retry = true) {
          while (!up && !stopping) await sleep(5);
          let reply: Reply<PaymentJson>;
          stats.attempts += 1;
          stats.inFlight += 1;
          try {
            reply = await call<PaymentJson>(url, 'POST', '/payments', {
              token: buyer.token,
              key,
              body: { product_id: product.id, quantity: 1 },
            });
          } catch {
            stats.dropped += 1;
            await sleep(5); // the server died under the request
            if (key !== undefined && !stopping) continue;
            break;
          } finally {
            stats.inFlight -= 1;
          }
          stats.answered += 1;
          const { status, body } = reply;
          if (status === 201 && body.results.status === 'succeeded') {
            acknowledge(buyer.id, key, body.results, reply.replayed);
          } else if (status === 409 && body.meta.code === 'insufficient_stock') {
            stats.outOfStock += 1;
          } else if (status === 409 && body.meta.code === 'idempotency_request_in_flight' && retry) {
            // The killed process held this key; its lease lapses only after 60 s. Move on.
            abandonedKeys.push(key!);
          } else {
            unexpected.push(
              `${status} ${body.meta.code ?? body.results?.status} ${body.meta.message} (key ${key}, retry ${retry})`,
            );
          }
          break;
        }
      }
    };

    /** Resolves once checkouts are answered again (a fresh process warms up first). */
    const flowing = async () => {
      const target = stats.answered + LOOPS;
      const deadline = Date.now() + 15_000;
      while (stats.answered < target) {
        if (Date.now() > deadline) throw new Error(`no checkout answered within 15 s (round ${round})`);
        await sleep(10);
      }
    };

    const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));
    const schedule: { round: number; afterMs: number; inFlight: number; acked: number; restartMs: number }[] =
      [];
    try {
      for (round = 1; round <= ROUNDS; round++) {
        await flowing();
        const afterMs = 100 + Math.floor(Math.random() * 700);
        await sleep(afterMs);
        const inFlight = stats.inFlight;
        up = false;
        const killed = srv.pid;
        await srv.kill();
        // On PGlite the dead process's lock is still there; the next start must take it over.
        if (!env.DATABASE_URL)
          expect(readFileSync(path.join(dataDir, 'db.lock'), 'utf8')).toBe(String(killed));
        const restartedAt = Date.now();
        await srv.start();
        up = true;
        schedule.push({ round, afterMs, inFlight, acked: acks.size, restartMs: Date.now() - restartedAt });
      }
      await flowing();
      await sleep(300);
    } finally {
      stopping = true;
      await Promise.all(loops);
    }
    console.log(
      `crash test on ${testDatabase()}: ${JSON.stringify(schedule)}; ` +
        `${acks.size} acknowledged, ${JSON.stringify(stats)}, ${abandonedKeys.length} keys abandoned`,
    );

    expect({ unexpected: unexpected.length, first: unexpected.slice(0, 10) }).toEqual({
      unexpected: 0,
      first: [],
    });
    expect(acks.size).toBeGreaterThan(0);
    // Every kill hit requests in flight, or the test proves little.
    for (const r of schedule) expect(r.inFlight, `round ${r.round}`).toBeGreaterThan(0);

    // --- the ledger reconciles (through the running server on PGlite, directly on PostgreSQL) ---
    const check = await runCli(['ledger', 'check'], env);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('ledger ok');

    // --- stock + units sold = initial stock ---
    const payments: PaymentJson[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor !== null; pages++) {
      const page: Envelope<PaymentJson[]> = await must<PaymentJson[]>(
        200,
        url,
        'GET',
        `/payments?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: admin.token },
      );
      payments.push(...page.results);
      cursor = page.meta.pagination!.next_cursor;
    }
    expect(new Set(payments.map((p) => p.id)).size).toBe(payments.length);
    expect(payments.every((p) => p.product_id === product.id)).toBe(true);
    // The wallet settles inside checkout's transaction: a pending or failed leftover is a torn write.
    expect(payments.filter((p) => p.status !== 'succeeded').map((p) => `${p.id} ${p.status}`)).toEqual([]);
    const sold = payments.reduce((units, p) => units + p.quantity, 0);
    const stock = (await must<{ stock: number }>(200, url, 'GET', `/products/${product.id}`)).results.stock;
    expect(stock).toBeGreaterThanOrEqual(0); // never oversold
    expect({ stock, sold, total: stock + sold }).toEqual({
      stock: INITIAL_STOCK - sold,
      sold,
      total: INITIAL_STOCK,
    });

    // --- nothing acknowledged was lost ---
    const byId = new Map(payments.map((p) => [p.id, p]));
    const lost = [...acks.values()]
      .filter((ack) => byId.get(ack.id)?.status !== 'succeeded')
      .map(
        (ack) => `${ack.id} (round ${ack.round}, key ${ack.key}) → ${byId.get(ack.id)?.status ?? 'missing'}`,
      );
    expect(lost).toEqual([]);
    for (const ack of acks.values()) {
      expect(byId.get(ack.id)).toMatchObject({
        user_id: ack.buyer,
        quantity: ack.quantity,
        total_amount: ack.total_amount,
      });
    }
    // Keys acknowledged before a crash still replay their payment (the record is durable), never a new one.
    const tokens = new Map(buyers.map((b) => [b.id, b.token]));
    const survivors = [...acks.values()].filter((ack) => ack.key !== undefined && ack.round <= ROUNDS);
    for (const ack of survivors.slice(0, 16)) {
      const again = await call<PaymentJson>(url, 'POST', '/payments', {
        token: tokens.get(ack.buyer)!,
        key: ack.key,
        body: { product_id: product.id, quantity: 1 },
      });
      expect({ status: again.status, replayed: again.replayed, id: again.body.results.id }).toEqual({
        status: 201,
        replayed: true,
        id: ack.id,
      });
    }

    // --- the money: the seller got each sale less the fee, each buyer paid for their units ---
    const walletOf = async (token: string) =>
      (
        await must<{ currency: string; available: string; held: string }[]>(200, url, 'GET', '/wallet', {
          token,
        })
      ).results.find((w) => w.currency === 'IDR') ?? { available: '0', held: '0' };
    expect((await walletOf(seller.token)).available).toBe(String(sold * SELLER_SHARE));
    for (const buyer of buyers) {
      const units = payments.filter((p) => p.user_id === buyer.id).reduce((n, p) => n + p.quantity, 0);
      expect((await walletOf(buyer.token)).available, `buyer ${buyer.id}`).toBe(
        String(FUNDS - units * PRICE),
      );
    }
  }, 240_000);
});
