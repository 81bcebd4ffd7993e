// Bearer token, CORS allow-list and preflight, body limit (413), slow bodies (408) and the
// per-client rate limit (429), against a server started with all of them set; then the defaults
// of a server with no token (Host allow-list) and what Node's HTTP parser refuses.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { binaryBody, bytesOf, decodeResponse, json, metric, raw, type Reply } from './client.ts';
import { identityConfig, identityModel, makeRepository, type TempRepository } from './models.ts';
import { spawnServer, type SpawnedServer } from './spawn.ts';

let server: SpawnedServer;
let repo: TempRepository;
const TOKEN = 's3cret-token';
const ORIGIN = 'https://app.example';
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  repo = makeRepository({
    echo: { config: identityConfig('FP32', [-1]), model: identityModel('FP32', ['len']) },
  });
  server = await spawnServer([
    '--repository',
    repo.dir,
    '--token',
    TOKEN,
    '--cors',
    `${ORIGIN},http://other.example`,
    '--max-body',
    '64k',
    '--rate-limit',
    '40',
    '--timeout',
    '1000',
  ]);
}, 40_000);
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  repo.remove();
});

const INFER = JSON.stringify({
  inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [1, 2] }],
});
const infer = (headers: Record<string, string>) =>
  raw(server.url, { method: 'POST', path: '/v2/models/echo/infer', headers, body: INFER });

describe('bearer token', () => {
  test('inference without a token is 401 with WWW-Authenticate: Bearer', async () => {
    const reply = await infer({});
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer realm="triad"');
    expect(json(reply).error).toMatch(/bearer token/);
  });

  test('a wrong token or scheme is 401', async () => {
    expect((await infer({ Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await infer({ Authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await infer({ Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
  });

  test('the right token is let through', async () => {
    const reply = await infer(auth);
    expect(reply.status).toBe(200);
    expect(json(reply).outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [2], data: [1, 2] },
    ]);
  });

  test('metadata, metrics and the repository index need the token too', async () => {
    for (const [method, path] of [
      ['GET', '/v2'],
      ['GET', '/v2/models/echo'],
      ['GET', '/metrics'],
      ['POST', '/v2/repository/index'],
    ]) {
      expect((await raw(server.url, { method, path })).status, path).toBe(401);
      expect((await raw(server.url, { method, path, headers: auth })).status, path).toBe(200);
    }
  });

  test('health probes stay open without a token', async () => {
    expect((await raw(server.url, { path: '/v2/health/live' })).status).toBe(200);
    expect((await raw(server.url, { path: '/v2/health/ready' })).status).toBe(200);
  });
});

describe('CORS', () => {
  test('an allowed origin gets its origin back and the exposed headers', async () => {
    const reply = await infer({ ...auth, Origin: ORIGIN });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(reply.headers['access-control-expose-headers']).toBe(
      'Inference-Header-Content-Length, Server-Timing, Retry-After',
    );
    expect(reply.headers.vary).toBe('Origin');
  });

  test('a binary answer (written past fastify) carries the CORS headers and is counted', async () => {
    const counted = () => metric(server.url, 'triad_http_responses_total', { code: '200' }, auth);
    const before = await counted();
    const { body, headerLength } = binaryBody(
      {
        inputs: [{ name: 'x', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } }],
        outputs: [{ name: 'y', parameters: { binary_data: true } }],
      },
      [bytesOf(new Float32Array([1.5, -2]))],
    );
    const reply = await raw(server.url, {
      method: 'POST',
      path: '/v2/models/echo/infer',
      headers: {
        ...auth,
        Origin: ORIGIN,
        'Inference-Header-Content-Length': String(headerLength),
      },
      body,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(reply.headers['access-control-expose-headers']).toContain(
      'Inference-Header-Content-Length',
    );
    const y = decodeResponse(reply).binary.get('y')!;
    expect([...new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + 8))]).toEqual([
      1.5, -2,
    ]);
    // This request, and the metrics request before it.
    expect(await counted()).toBe(before + 2);
  });

  test('a disallowed origin is refused with 403 and no CORS headers', async () => {
    const reply = await infer({ ...auth, Origin: 'https://evil.example' });
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    expect(json(reply).error).toMatch(/origin 'https:\/\/evil.example' is not allowed/);
  });

  test('a preflight from an allowed origin is answered without a token', async () => {
    const reply = await raw(server.url, {
      method: 'OPTIONS',
      path: '/v2/models/echo/infer',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers':
          'authorization, content-type, inference-header-content-length',
      },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(reply.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    const allowed = String(reply.headers['access-control-allow-headers'])
      .toLowerCase()
      .split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'inference-header-content-length']),
    );
    expect(reply.headers['access-control-expose-headers']).toContain('Server-Timing');
  });

  test("a preflight asking for private-network access (Chrome's PNA) is allowed it", async () => {
    const preflight = (extra: Record<string, string>) =>
      raw(server.url, {
        method: 'OPTIONS',
        path: '/v2/models/echo/infer',
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', ...extra },
      });
    const asked = await preflight({ 'Access-Control-Request-Private-Network': 'true' });
    expect(asked.status).toBe(204);
    expect(asked.headers['access-control-allow-private-network']).toBe('true');
    const plain = await preflight({});
    expect(plain.headers['access-control-allow-private-network']).toBeUndefined();
  });

  test('a preflight from a disallowed origin is 403', async () => {
    const reply = await raw(server.url, {
      method: 'OPTIONS',
      path: '/v2/models/echo/infer',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' },
    });
    expect(reply.status).toBe(403);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('request limits', () => {
  test('a body over --max-body is 413, by its Content-Length', async () => {
    const reply = await raw(server.url, {
      method: 'POST',
      path: '/v2/models/echo/infer',
      headers: auth,
      body: Buffer.alloc(65 * 1024, 32),
    });
    expect(reply.status).toBe(413);
    expect(json(reply).error).toMatch(/over the limit of 65536 bytes/);
  });

  test('a chunked body growing past --max-body is 413', async () => {
    const reply = await rawSocket(
      `POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `10000\r\n${' '.repeat(0x10000)}\r\n10\r\n${' '.repeat(16)}\r\n0\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toMatch(/"error":"request body is over the limit of 65536 bytes"/);
  });

  test('a body that stalls past --timeout is 408', async () => {
    const started = performance.now();
    const reply = await rawSocket(
      `POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 100\r\n\r\n{"inputs":`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(reply).toMatch(/"error":"request not received within 1000 ms"/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a client over --rate-limit gets 429 with Retry-After, then recovers', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // let the bucket refill
    const replies: Reply[] = await Promise.all(
      Array.from({ length: 80 }, () => raw(server.url, { path: '/v2/health/live' })),
    );
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(20);
    expect(limited[0].headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(json(limited[0]).error).toMatch(/too many requests/);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await raw(server.url, { path: '/v2/health/live' })).status).toBe(200);
  });
});

describe('a loopback server without a token', () => {
  let open: SpawnedServer;
  beforeAll(async () => {
    open = await spawnServer(['--repository', repo.dir, '--timeout', '1000']);
  }, 40_000);
  afterAll(async () => {
    expect(await open.stop()).toBe(0);
  });
  const get = (path: string, host: string) =>
    rawSocket(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, open.url);

  test('answers only to its own names: a DNS-rebound page (another Host) gets 403', async () => {
    const { port } = new URL(open.url);
    for (const path of ['/metrics', '/v2/models/echo/config', '/v2/health/ready']) {
      const evil = await get(path, `evil.example:${port}`);
      expect(evil, path).toMatch(/^HTTP\/1\.1 403 /);
      expect(evil, path).toMatch(
        /"error":"this server does not answer to the host 'evil.example:\d+'/,
      );
      for (const name of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
        expect(await get(path, name), `${path} ${name}`).toMatch(/^HTTP\/1\.1 200 /);
    }
  });

  test('requests Node refuses before any handler still get an {"error"} body', async () => {
    const cases: [string, RegExp, RegExp][] = [
      [
        'GET /v2 HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n',
        /^HTTP\/1\.1 400 /,
        /malformed HTTP request/,
      ],
      [
        `GET /v2 HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        /^HTTP\/1\.1 431 /,
        /headers are too large/,
      ],
      [
        'GET /v2 HTTP/1.1\r\nHost: localhost\r\n',
        /^HTTP\/1\.1 408 /,
        /not received within 1000 ms/,
      ],
    ];
    for (const [request, status, message] of cases) {
      const reply = await rawSocket(request, open.url);
      expect(reply).toMatch(status);
      expect(reply).toMatch(/Content-Type: application\/json/i);
      const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: string };
      expect(body.error).toMatch(message);
    }
  }, 20_000);
});

/** Writes `request` to a fresh socket and resolves with everything the server sends back. */
function rawSocket(request: string, url = server.url): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', (e) => (text ? resolve(text) : reject(e)));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}
