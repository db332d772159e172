// The HTTP plumbing shared by every receiver: loopback listener, request log, fault injection
// (delay / status / hang), stop/restart on the same port, waitFor and prompt close.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import {
  checkCredentials,
  checkTenantBinding,
  orgIdOf,
  type AuthDenial,
  type ReceiverAuth,
} from './receiver-auth.js';

export interface ReceiverOptions {
  /** Port to listen on; 0 (default) picks a free one. Give a fixed port to start a "late" backend. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Credentials and tenant required of every request but `GET /ready` (see receiver-auth.ts). */
  auth?: ReceiverAuth;
}

export interface ReceiverBehaviour {
  /** Answer (success or `status`) only after this many milliseconds. */
  delayMs?: number;
  /** Answer this HTTP status instead of success; the body is read but its data is NOT recorded. */
  status?: number;
  /** Read the request but never answer (until close()/stop() destroys the socket). */
  hang?: boolean;
}

export interface WaitForOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Text added to the timeout error, e.g. what you were waiting for. */
  description?: string;
}

/** One line per HTTP request received (including rejected and faulted ones). */
export interface ReceivedRequest {
  method: string;
  /** Path and query string as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Body size as received on the wire (before content-encoding is undone). */
  bodyBytes: number;
  /** Status answered, or undefined while pending / when hanging. */
  status?: number;
  /** The tenant it came as: its `X-Scope-OrgID`, or the server's single-tenant default; none if refused. */
  tenant?: string;
  receivedAt: number;
}

/** A request the receiver refused the way the real server would (not a fault injected by the test). */
export interface Rejection {
  status: number;
  /** The server's message, as it would answer or log it. */
  message: string;
  /** The server's reason code where it has one (e.g. Pyroscope `series_limit`, Loki `line_too_long`). */
  reason?: string;
  tenant?: string;
  method: string;
  url: string;
  at: number;
}

export interface HandlerResult {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Commit the decoded data (called only when the answer is not overridden by a fault behaviour). */
  commit?: () => void;
  /** Set when the server would refuse all or part of the request: recorded in `errors` and `rejections`. */
  rejection?: { message: string; reason?: string };
}

export interface IncomingBody {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Raw bytes as received. */
  raw: Buffer;
  /** The tenant (see `ReceivedRequest.tenant`). */
  tenant: string;
}

export interface ErrorAnswer {
  /** Body as the server writes it (default: the message and a newline, as Go's `http.Error`). */
  body?: string;
  headers?: Record<string, string>;
  reason?: string;
}

export class ReceiverError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly answer: ErrorAnswer = {},
  ) {
    super(message);
  }
}

/** Undo `content-encoding` (gzip, deflate, br; identity is a no-op). Throws a 400 ReceiverError otherwise. */
export function decodeContentEncoding(raw: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  try {
    if (enc === '' || enc === 'identity') return raw;
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(raw);
    if (enc === 'deflate') return inflateSync(raw);
    if (enc === 'br') return brotliDecompressSync(raw);
  } catch (err) {
    throw new ReceiverError(400, `cannot undo content-encoding ${enc}: ${(err as Error).message}`);
  }
  throw new ReceiverError(415, `unsupported content-encoding: ${enc}`);
}

export abstract class ReceiverServer {
  /** Name used in error messages ("jaeger", "pyroscope", "loki"). */
  abstract readonly name: string;
  /** Number of HTTP requests received (all paths, all outcomes). */
  requests = 0;
  /** One message per rejected / undecodable request. */
  errors: string[] = [];
  /** Every request received, in order. */
  requestLog: ReceivedRequest[] = [];
  /** Every request refused as the real server would refuse it, in order (not the injected faults). */
  rejections: Rejection[] = [];
  /** The tenant of requests without `X-Scope-OrgID` when `auth.tenant` is not set. */
  protected readonly defaultTenant: string = '';
  readonly auth: ReceiverAuth | undefined;

  #server: http.Server;
  #sockets = new Set<Socket>();
  #host: string;
  #port: number;
  #behaviour: ReceiverBehaviour = {};
  #events = new EventEmitter();
  #listening = false;
  #closed = false;
  #pendingTimers = new Set<NodeJS.Timeout>();

  protected constructor(opts: ReceiverOptions = {}) {
    this.#host = opts.host ?? '127.0.0.1';
    this.#port = opts.port ?? 0;
    this.auth = opts.auth;
    this.#events.setMaxListeners(0);
    this.#server = http.createServer((req, res) => this.#onRequest(req, res));
    this.#server.keepAliveTimeout = 5_000;
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:12345` (no trailing slash). */
  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#listening;
  }

  /** Start listening (used by the start* helpers). */
  async listen(): Promise<this> {
    if (this.#closed) throw new Error(`${this.name} receiver: already closed`);
    if (this.#listening) return this;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ port: this.#port, host: this.#host, exclusive: true }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#listening = true;
    return this;
  }

  /** Change fault behaviour for the next requests; `setBehaviour({})` restores normal answers. */
  setBehaviour(behaviour: ReceiverBehaviour): void {
    this.#behaviour = { ...behaviour };
  }

  get behaviour(): ReceiverBehaviour {
    return { ...this.#behaviour };
  }

  /** Close the listener and every open connection: new connections get ECONNREFUSED. Data is kept. */
  async stop(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    for (const t of this.#pendingTimers) clearTimeout(t);
    this.#pendingTimers.clear();
    await closed;
  }

  /** Listen again on the same port after stop(). */
  async restart(): Promise<void> {
    await this.listen();
  }

  /** stop() for good; the receiver cannot be restarted. */
  async close(): Promise<void> {
    await this.stop();
    this.#closed = true;
    this.#events.emit('change');
  }

  /** Forget all recorded data, errors, the request log and the request count. */
  clear(): void {
    this.requests = 0;
    this.errors = [];
    this.requestLog = [];
    this.rejections = [];
    this.clearData();
    this.#events.emit('change');
  }

  /**
   * Resolve once `predicate(this)` is true (checked now, after every request, and every 25 ms); reject with a
   * message naming the receiver and what it has received so far after `timeoutMs` (default 5000).
   */
  waitFor(predicate: (receiver: this) => boolean, opts: WaitForOptions = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.#events.off('change', check);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        try {
          if (predicate(this)) finish();
        } catch (err) {
          finish(err as Error);
        }
      };
      const timer = setTimeout(() => {
        const what = opts.description ? ` for ${opts.description}` : '';
        finish(
          new Error(
            `${this.name} receiver at ${this.url}: waitFor${what} timed out after ${timeoutMs} ms ` +
              `(requests=${this.requests}, ${this.summary()}, errors=${JSON.stringify(this.errors.slice(-3))})`,
          ),
        );
      }, timeoutMs);
      const poll = setInterval(check, 25);
      this.#events.on('change', check);
      check();
    });
  }

  /** Short description of what was received, for error messages. */
  protected abstract summary(): string;
  protected abstract clearData(): void;
  /** Decode a request; throw ReceiverError for a 4xx answer. */
  protected abstract handle(req: IncomingBody): HandlerResult | Promise<HandlerResult>;

  /** The server's answer to a multi-tenant request without `X-Scope-OrgID` (dskit: `no org id`). */
  protected noOrgIdAnswer(): ReceiverError {
    return new ReceiverError(401, 'no org id');
  }

  /** The tenant of a request, or the 401 the gateway or the server answers instead. */
  #tenantOf(headers: http.IncomingHttpHeaders): string | ReceiverError {
    const denial: AuthDenial | undefined = checkCredentials(this.auth, headers);
    const refuse = (d: AuthDenial) =>
      new ReceiverError(d.status, d.message, { body: d.body, headers: d.headers, reason: 'unauthorized' });
    if (denial !== undefined) return refuse(denial);
    const orgId = orgIdOf(headers);
    if (this.auth?.tenant === undefined) return this.defaultTenant;
    if (orgId === undefined) return this.noOrgIdAnswer();
    const binding = checkTenantBinding(this.auth, orgId);
    return binding === undefined ? orgId : refuse(binding);
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const entry: ReceivedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      bodyBytes: 0,
      receivedAt: Date.now(),
    };
    this.requestLog.push(entry);
    const behaviour = this.#behaviour;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      entry.bodyBytes = raw.length;
      if (behaviour.hang) {
        this.#events.emit('change');
        return;
      }
      const answer = (): void => {
        void this.#answer(req, res, raw, entry, behaviour);
      };
      if (behaviour.delayMs && behaviour.delayMs > 0) {
        const t = setTimeout(() => {
          this.#pendingTimers.delete(t);
          answer();
        }, behaviour.delayMs);
        this.#pendingTimers.add(t);
      } else {
        answer();
      }
    });
  }

  async #answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: Buffer,
    entry: ReceivedRequest,
    behaviour: ReceiverBehaviour,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receiver');
    let result: HandlerResult;
    const method = req.method ?? 'GET';
    const where = `${method} ${req.url}`;
    if (method === 'GET' && url.pathname === '/ready') {
      result = { status: 200, body: 'ready' };
    } else {
      try {
        const tenant = this.#tenantOf(req.headers);
        if (tenant instanceof ReceiverError) throw tenant;
        entry.tenant = tenant;
        result = await this.handle({
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          raw,
          tenant,
        });
      } catch (err) {
        const error = err instanceof ReceiverError ? err : new ReceiverError(500, (err as Error).message);
        result = {
          status: error.status,
          body: error.answer.body ?? `${where}: ${error.message}\n`,
          rejection: {
            message: error.message,
            ...(error.answer.reason !== undefined && { reason: error.answer.reason }),
          },
          ...(error.answer.headers !== undefined && { headers: error.answer.headers }),
        };
      }
    }
    if (result.rejection !== undefined) this.errors.push(`${where}: ${result.rejection.message}`);
    if (behaviour.status !== undefined) {
      result = { status: behaviour.status, body: `fault injected: status ${behaviour.status}\n` };
    } else {
      result.commit?.();
      if (result.rejection !== undefined) {
        this.rejections.push({
          status: result.status,
          ...result.rejection,
          ...(entry.tenant !== undefined && { tenant: entry.tenant }),
          method,
          url: req.url ?? '/',
          at: Date.now(),
        });
      }
    }
    entry.status = result.status;
    if (!res.destroyed) {
      res.writeHead(result.status, { 'content-type': 'text/plain; charset=utf-8', ...result.headers });
      res.end(result.body ?? '');
    }
    this.#events.emit('change');
  }
}
