// backup.alert.webhook (issue 10): the alert JSON POSTed to a real local HTTP server; a failing, a
// silent and an unreachable endpoint are logged, never thrown, and bounded by the time limit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { sendAlert, type Alert } from '../../src/app/alert.js';
import { scratchDir, tempRepo } from '../helpers/repo.js';

function serve(handler: (req: IncomingMessage, body: string, reply: (code: number) => void) => void): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => handler(req, body, (code) => res.writeHead(code).end()));
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alert` }));
  });
}

const alert: Alert = { kind: 'auto-cleanup', repo: '/tmp/x', at: '2026-12-02T10:00:00.000Z', details: { deleted: 2 } };
const logOf = (dir: string) => readFileSync(join(dir, 'backup.log'), 'utf8');

test('the alert JSON is POSTed; 5xx, silence and a closed port are logged within the limit', async () => {
  const store = scratchDir();
  mkdirSync(store, { recursive: true });
  const got: { method: string; type: string; body: unknown }[] = [];
  const ok = await serve((req, body, reply) => {
    got.push({ method: req.method!, type: req.headers['content-type']!, body: JSON.parse(body) });
    reply(204);
  });
  await sendAlert({ command: null, webhook: ok.url }, alert, store);
  assert.equal(got, [{ method: 'POST', type: 'application/json', body: alert }]);

  const failing = await serve((_req, _body, reply) => reply(500));
  await sendAlert({ command: null, webhook: failing.url }, alert, store);
  assert.match(logOf(store), /alert auto-cleanup: webhook answered 500/);

  const silent = await serve(() => undefined); // never answers
  const t0 = Date.now();
  await sendAlert({ command: null, webhook: silent.url }, alert, store, 300);
  assert.ok(Date.now() - t0 < 5_000, 'bounded by the limit');
  assert.match(logOf(store), /webhook failed: no answer within 300 ms/);

  const closedUrl = ok.url;
  await new Promise<void>((r) => ok.server.close(() => r()));
  await sendAlert({ command: null, webhook: closedUrl }, alert, store, 2_000);
  assert.match(logOf(store), /webhook failed: /);
  failing.server.close();
  silent.server.closeAllConnections();
  silent.server.close();
});

test('backup.alert.webhook is validated: http(s) only', () => {
  const repo = tempRepo();
  repo.git(['config', 'backup.alert.webhook', 'ftp://example.com/x']);
  const bad = repo.cli(['status']);
  assert.is(bad.code, 3);
  assert.match(bad.stderr, /backup\.alert\.webhook.*http\(s\) URL/);
  repo.git(['config', 'backup.alert.webhook', 'https://hooks.example.com/backup']);
  assert.is(repo.cli(['status']).code, 0);
});

test.run();
