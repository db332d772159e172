// Plain node:http client for tests: no connection pooling, so stop/restart behaviour is observed directly.
import http from 'node:http';

export interface PostResult {
  status: number;
  body: string;
}

export function post(
  url: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
  timeoutMs = 3_000,
): Promise<PostResult> {
  return request('POST', url, body, headers, timeoutMs);
}

export function request(
  method: string,
  url: string,
  body: Buffer | string | undefined,
  headers: Record<string, string> = {},
  timeoutMs = 3_000,
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`client timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
