/**
 * The two reference points for the ingest benchmark, run as their own process like the service:
 *   PROBE=empty   an empty Fastify POST route answering 202;
 *   PROBE=durable a POST route that durably inserts the body with group commit, then answers 202.
 * Prints "listening <port>" once ready.
 */
import Fastify from 'fastify';
import pg from 'pg';

const mode = process.env.PROBE ?? 'empty';
const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

if (mode === 'empty') {
  app.post('/probe', async (_req, reply) => reply.status(202).send());
} else {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  await pool.query('CREATE TABLE IF NOT EXISTS probe_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body jsonb NOT NULL)');
  let queue: Array<{ body: string; done: (error?: unknown) => void }> = [];
  let inFlight = 0;
  const flush = () => {
    while (inFlight < 3 && queue.length > 0) {
      const batch = queue;
      queue = [];
      inFlight += 1;
      pool
        // Named, like the service's own statement: the probe is the best this machine can do.
        .query({ name: 'probe_insert', text: 'INSERT INTO probe_rows (body) SELECT * FROM unnest($1::jsonb[])', values: [batch.map((b) => b.body)] })
        .then(() => batch.forEach((b) => b.done()), (error: unknown) => batch.forEach((b) => b.done(error)))
        .finally(() => {
          inFlight -= 1;
          flush();
        });
    }
  };
  app.post('/probe', async (req, reply) => {
    await new Promise<void>((resolve, reject) => {
      queue.push({ body: JSON.stringify(req.body), done: (e) => (e ? reject(e) : resolve()) });
      flush();
    });
    return reply.status(202).send();
  });
}

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
