/**
 * An OTLP/HTTP trace receiver stand-in (`POST /v1/traces`, binary protobuf, what
 * `@opentelemetry/exporter-trace-otlp-proto` sends) that decodes every request with the OTLP protobuf
 * definitions (otlp-proto.ts) and answers like the OpenTelemetry Collector's OTLP receiver
 * (opentelemetry-collector receiver/otlpreceiver/otlphttp.go):
 *
 *  - 200 with an encoded `ExportTraceServiceResponse`, `content-type: application/x-protobuf`;
 *  - 400 with an encoded `google.rpc.Status` (code 3 InvalidArgument) for a body that does not decode, or
 *    one over the 20 MiB `max_request_body_size` default (config/confighttp/server.go);
 *  - 415 `415 unsupported media type, supported: [application/json, application/x-protobuf]` (text/plain)
 *    for any other content type. JSON is accepted by the Collector but not decoded by this stand-in: it
 *    answers 415 for it too, saying so;
 *  - 405 `405 method not allowed, supported: [POST]` for another method, 404 for another path;
 *  - with `auth`, 401 with a `google.rpc.Status` (code 16 Unauthenticated) when the `authorization` header
 *    is missing or wrong, checked before anything else (config/confighttp/server.go `authInterceptor`) and
 *    with the messages of the Collector's basicauth extension (opentelemetry-collector-contrib
 *    extension/basicauthextension/extension.go). Like it, no `WWW-Authenticate` challenge.
 *
 * Loopback only, random port by default; `GET /ready` answers 200.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeContentEncoding, ReceiverError } from './receiver-server.js';
import {
  decodeExportTraceServiceRequest,
  encodeExportTraceServiceResponse,
  encodeRpcStatus,
  type RawAnyValue,
  type RawKeyValue,
} from './otlp-proto.js';

export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export interface OtlpSpan {
  /** 32 lower-case hex chars. */
  traceId: string;
  /** 16 lower-case hex chars. */
  spanId: string;
  /** 16 hex chars, or undefined for a span without a parent. */
  parentSpanId: string | undefined;
  /**
   * Whether the parent is in another process, from `flags` bits 8 (known) and 9 (remote); undefined when the
   * exporter did not say. OTel JS sets both.
   */
  parentIsRemote: boolean | undefined;
  name: string;
  /** SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, AttributeValue>;
  /** The resource's attributes, e.g. `service.name`. */
  resource: Record<string, AttributeValue>;
  scope: { name: string; version: string };
  status: { code: number; message: string };
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, AttributeValue> }[];
}

export interface OtlpReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
  status: number;
  receivedAt: number;
}

export interface OtlpTraceReceiverOptions {
  port?: number;
  host?: string;
  /** Require `authorization: Basic base64(username:password)`, as the Collector's basicauth extension. */
  auth?: { username: string; password: string };
}

/** confighttp's default `max_request_body_size`. */
export const MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024;
const PROTOBUF = 'application/x-protobuf';
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNAUTHENTICATED = 16;

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  /** What `errors` records for a rejection. */
  message?: string;
}

export class OtlpTraceReceiver {
  readonly name = 'otlp';
  /** Every decoded span, in arrival order. */
  spans: OtlpSpan[] = [];
  /** Number of HTTP requests received. */
  requests = 0;
  /** One message per rejected request. */
  errors: string[] = [];
  requestLog: OtlpReceivedRequest[] = [];

  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #host: string;
  readonly #expectedAuth: string | undefined;
  readonly #events = new EventEmitter();
  #port: number;

  constructor(options: OtlpTraceReceiverOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#expectedAuth = options.auth
      ? Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')
      : undefined;
    this.#events.setMaxListeners(0);
    this.#server = http.createServer((req, res) => this.#onRequest(req, res));
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.#host}:${this.#port}`;
  }

  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the exporter adds `/v1/traces` to `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  get endpoint(): string {
    return `${this.url}/v1/traces`;
  }

  get port(): number {
    return this.#port;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ port: this.#port, host: this.#host }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  spansNamed(name: string): OtlpSpan[] {
    return this.spans.filter((s) => s.name === name);
  }

  clear(): void {
    this.spans = [];
    this.requests = 0;
    this.errors = [];
    this.requestLog = [];
  }

  /** Resolves once `predicate(this)` holds (checked now and after every request); rejects after `timeoutMs`. */
  waitFor(
    predicate: (receiver: this) => boolean,
    { timeoutMs = 5_000, description = 'a condition' } = {},
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `otlp receiver at ${this.url}: no ${description} within ${timeoutMs} ms ` +
              `(requests=${this.requests}, spans=${this.spans.length}, errors=${JSON.stringify(this.errors.slice(-3))})`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#events.off('request', check);
      };
      this.#events.on('request', check);
      check();
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BODY_BYTES) chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const answer = this.#answer(req, Buffer.concat(chunks), size);
      this.requestLog.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyBytes: size,
        status: answer.status,
        receivedAt: Date.now(),
      });
      res.writeHead(answer.status, { 'content-type': answer.contentType });
      res.end(answer.body);
      this.#events.emit('request');
    });
  }

  #answer(req: http.IncomingMessage, raw: Buffer, size: number): Answer {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    if (req.method === 'GET' && path === '/ready') return text(200, 'ready');
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const authError = this.#authError(req.headers.authorization);
    if (authError !== undefined) return this.#reject(authFailure(mediaType, authError));
    if (path !== '/v1/traces') return this.#reject(text(404, '404 page not found\n'));
    if (req.method !== 'POST') return this.#reject(text(405, '405 method not allowed, supported: [POST]'));
    if (mediaType !== PROTOBUF) {
      const note = mediaType === 'application/json' ? ' (this stand-in decodes protobuf only)' : '';
      return this.#reject(
        text(415, `415 unsupported media type, supported: [application/json, ${PROTOBUF}]${note}`),
      );
    }
    if (size > MAX_REQUEST_BODY_BYTES) {
      return this.#reject(status(400, GRPC_INVALID_ARGUMENT, 'http: request body too large'));
    }
    try {
      const body = decodeContentEncoding(raw, req.headers['content-encoding']);
      this.spans.push(...flattenSpans(decodeExportTraceServiceRequest(body)));
    } catch (error) {
      const code = error instanceof ReceiverError ? error.status : 400;
      return this.#reject(status(code, GRPC_INVALID_ARGUMENT, (error as Error).message));
    }
    return { status: 200, contentType: PROTOBUF, body: encodeExportTraceServiceResponse() };
  }

  #reject(answer: Answer): Answer {
    this.errors.push(`${answer.status} ${answer.message ?? answer.body.toString().trim()}`);
    return answer;
  }

  /** The basicauth extension's error for this header, or undefined when it is accepted. */
  #authError(header: string | undefined): string | undefined {
    if (this.#expectedAuth === undefined) return undefined;
    if (!header) return 'no basic auth provided';
    if (!/^basic /i.test(header)) return 'invalid authorization scheme prefix';
    const encoded = header.slice('Basic '.length);
    const decoded = Buffer.from(encoded, 'base64').toString();
    if (Buffer.from(decoded).toString('base64') !== encoded || !decoded.includes(':')) {
      return 'invalid authorization format';
    }
    return encoded === this.#expectedAuth ? undefined : 'invalid credentials';
  }
}

export async function startOtlpTraceReceiver(options?: OtlpTraceReceiverOptions): Promise<OtlpTraceReceiver> {
  return new OtlpTraceReceiver(options).listen();
}

function text(code: number, body: string): Answer {
  return { status: code, contentType: 'text/plain', body: Buffer.from(body) };
}

/**
 * The Collector's OTLP `errorHandler` (otlphttp.go) for an auth failure: a Status in the request's own
 * encoding, or its fixed 500 fallback when the request is neither protobuf nor JSON.
 */
function authFailure(mediaType: string, message: string): Answer {
  if (mediaType === PROTOBUF) return status(401, GRPC_UNAUTHENTICATED, message);
  if (mediaType === 'application/json') {
    const body = JSON.stringify({ code: GRPC_UNAUTHENTICATED, message });
    return { status: 401, contentType: 'application/json', body: Buffer.from(body) };
  }
  const fallback = '{"code": 13, "message": "failed to marshal error message"}';
  return { status: 500, contentType: 'application/json', body: Buffer.from(fallback) };
}

function status(httpStatus: number, grpcCode: number, message: string): Answer {
  return { status: httpStatus, contentType: PROTOBUF, body: encodeRpcStatus(grpcCode, message), message };
}

const hex = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');

function flattenSpans(request: ReturnType<typeof decodeExportTraceServiceRequest>): OtlpSpan[] {
  return request.resourceSpans.flatMap((resourceSpans) => {
    const resource = attributes(resourceSpans.resource?.attributes ?? []);
    return resourceSpans.scopeSpans.flatMap(({ scope, spans }) =>
      spans.map((span): OtlpSpan => {
        const parent = hex(span.parentSpanId);
        return {
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: parent === '' ? undefined : parent,
          // SpanFlags (trace.proto): 0x100 CONTEXT_HAS_IS_REMOTE, 0x200 CONTEXT_IS_REMOTE
          parentIsRemote: (span.flags & 0x100) !== 0 ? (span.flags & 0x200) !== 0 : undefined,
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: BigInt(span.startTimeUnixNano),
          endTimeUnixNano: BigInt(span.endTimeUnixNano),
          attributes: attributes(span.attributes),
          resource,
          scope: { name: scope?.name ?? '', version: scope?.version ?? '' },
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
          events: span.events.map((event) => ({
            name: event.name,
            timeUnixNano: BigInt(event.timeUnixNano),
            attributes: attributes(event.attributes),
          })),
        };
      }),
    );
  });
}

function attributes(list: RawKeyValue[]): Record<string, AttributeValue> {
  return Object.fromEntries(list.map((kv) => [kv.key, anyValue(kv.value)]));
}

function anyValue(value: RawAnyValue | undefined): AttributeValue {
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue ?? '';
    case 'boolValue':
      return value.boolValue ?? false;
    case 'intValue':
      return Number(value.intValue);
    case 'doubleValue':
      return value.doubleValue ?? 0;
    case 'bytesValue':
      return value.bytesValue ?? '';
    case 'arrayValue':
      return (value.arrayValue?.values ?? []).map(anyValue);
    case 'kvlistValue':
      return attributes(value.kvlistValue?.values ?? []);
    default:
      return null;
  }
}
