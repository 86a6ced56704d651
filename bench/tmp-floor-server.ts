import Fastify from 'fastify';
import pg from 'pg';
const pool = new pg.Pool({ connectionString: process.env.DB, max: 10 });
const app = Fastify({ logger: false });
app.post('/decrement', async () => {
  const r = await pool.query({
    name: 'dec',
    text: 'UPDATE p SET stock = stock - 1 WHERE id = $1 AND stock >= 1',
    values: [1],
  });
  return { taken: r.rowCount };
});
await app.listen({ port: 3999, host: '127.0.0.1' });
console.log('ready');
