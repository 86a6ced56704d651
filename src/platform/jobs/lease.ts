import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

/**
 * The right to run a background job on one instance at a time: a row in `job_leases`
 * held until `expires_at`, renewed by each round of the holder's work. A holder that dies
 * stops renewing, and another instance takes the lease once it lapses. Times come from
 * the database's clock, so instances with skewed clocks agree on who holds it.
 */
export class Lease {
  readonly holder = randomUUID();

  constructor(
    private readonly db: Kysely<object>,
    readonly name: string,
    private readonly durationMs: number,
  ) {}

  /** Takes or renews the lease; false when another live holder has it. */
  async acquire(): Promise<boolean> {
    const { rows } = await sql<{ holder: string }>`
      INSERT INTO job_leases (name, holder, expires_at)
      VALUES (${this.name}, ${this.holder}, now() + ${this.durationMs} * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at < now()
      RETURNING holder`.execute(this.db);
    return rows.length === 1;
  }

  /** Gives the lease up (if held), so another instance takes over at once. */
  async release(): Promise<void> {
    await sql`DELETE FROM job_leases WHERE name = ${this.name} AND holder = ${this.holder}`
      .execute(this.db)
      .catch(() => {});
  }
}
