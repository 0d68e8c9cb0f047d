/**
 * The baseline for the page benchmark: a bare Fastify app with one route
 * replying "hello" as text, no plugins, no logging. It listens on 127.0.0.1
 * (PORT, or any free port) and prints `{"port":<n>}` on one line once ready.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });

app.get('/', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('hello'));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('bare server: no TCP address');
console.log(JSON.stringify({ port: address.port }));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
