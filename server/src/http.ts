// Small HTTP helpers: bounded, timed body reads and JSON / error replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.ts';

/** Reads the whole body: 413 past `limit` bytes, 408 when it takes longer than `timeoutMs`. */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    return Promise.reject(
      new HttpError(413, `request body of ${declared} bytes is over the limit of ${limit} bytes`),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: HttpError) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        finish(new HttpError(413, `request body is over the limit of ${limit} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = () => finish(new HttpError(400, 'request body was cut off'));
    const timer = setTimeout(
      () => finish(new HttpError(408, `request body not received within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  error: HttpError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, error.status, { error: error.message }, { ...headers, ...error.headers });
}
