import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  checks: Type.Object({ database: Type.String(), migrations: Type.String() }),
});

export interface ReadinessProbe {
  /** Resolves with the names of unapplied migrations; rejects when the database is unreachable. */
  pendingMigrations(): Promise<string[]>;
}

/** Liveness and readiness for load balancers and orchestrators. Neither needs a token. */
export function healthRoutes(app: FastifyInstance, probe: ReadinessProbe) {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness: the process is serving', response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: database reachable and every migration applied',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (request, reply) => {
      let database = 'ok';
      let migrations = 'ok';
      try {
        const pending = await probe.pendingMigrations();
        if (pending.length) migrations = `pending: ${pending.join(', ')}`;
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        database = 'unreachable';
        migrations = 'unknown';
      }
      const ready = database === 'ok' && migrations === 'ok';
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks: { database, migrations } });
    },
  );
}
