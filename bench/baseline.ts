// The reference point: Fastify with nothing added, so a ratio against it shows what
// Mamlaka's own work (plugins, auth, database, hashing) costs on top of the framework.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
