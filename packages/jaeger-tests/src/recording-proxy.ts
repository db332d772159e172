/**
 * Between the apps and Jaeger: each export request is decoded with a real decoder (Thrift for exporter-jaeger,
 * protobuf for OTLP) and its spans recorded, then the same bytes go on to Jaeger and Jaeger's answer comes
 * back to the app unchanged. What was recorded is what the apps sent, counted without asking Jaeger.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeContentEncoding, decodeJaegerBatch, NO_PARENT_SPAN_ID } from '@rideshare/test-receivers';
import { decodeOtlpTraces } from './otlp-trace-decoder.js';

export interface SentSpan {
  traceId: string;
  spanId: string;
  parentId: string | undefined;
  name: string;
  service: string;
}

export type Protocol = 'thrift' | 'otlp';

/** The export path of each protocol: Jaeger's Thrift HTTP endpoint and OTLP/HTTP's traces path. */
export const EXPORT_PATH: Record<Protocol, string> = { thrift: '/api/traces', otlp: '/v1/traces' };

const DECODERS: Record<Protocol, (body: Buffer) => SentSpan[]> = {
  thrift: (body) =>
    decodeJaegerBatch(body).spans.map((span) => ({
      traceId: span.traceId,
      spanId: span.spanId,
      parentId: span.parentSpanId === NO_PARENT_SPAN_ID ? undefined : span.parentSpanId,
      name: span.operationName,
      service: span.process.serviceName,
    })),
  otlp: (body) =>
    decodeOtlpTraces(body).map(({ traceId, spanId, parentId, name, service }) => ({
      traceId,
      spanId,
      parentId,
      name,
      service,
    })),
};

export interface RecordingProxy {
  /** Base URL to give the apps (`OTEL_EXPORTER_OTLP_ENDPOINT`, or + `/api/traces` for Jaeger). */
  readonly url: string;
  /** Every span the apps sent, accepted by Jaeger or not. */
  readonly spans: SentSpan[];
  /** One entry per export request: Jaeger's status, or the problem. */
  readonly exports: { status: number; spans: number; problem?: string }[];
  close(): Promise<void>;
}

export async function startRecordingProxy(protocol: Protocol, upstream: string): Promise<RecordingProxy> {
  const spans: SentSpan[] = [];
  const exports: RecordingProxy['exports'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        let decoded: SentSpan[] = [];
        let problem: string | undefined;
        if (req.method !== 'POST' || req.url?.split('?')[0] !== EXPORT_PATH[protocol]) {
          problem = `unexpected ${req.method} ${req.url}`;
        } else {
          try {
            decoded = DECODERS[protocol](decodeContentEncoding(raw, req.headers['content-encoding']));
          } catch (error) {
            problem = `cannot decode: ${(error as Error).message}`;
          }
        }
        spans.push(...decoded);
        try {
          const answer = await fetch(`${upstream}${req.url ?? '/'}`, {
            method: req.method ?? 'POST',
            headers: forwardedHeaders(req.headers),
            ...(req.method === 'POST' && { body: raw }),
          });
          const body = Buffer.from(await answer.arrayBuffer());
          if (!answer.ok)
            problem ??= `Jaeger answered ${answer.status}: ${body.toString('utf8').slice(0, 300)}`;
          exports.push({ status: answer.status, spans: decoded.length, ...(problem && { problem }) });
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(body);
        } catch (error) {
          exports.push({ status: 0, spans: decoded.length, problem: `Jaeger: ${(error as Error).message}` });
          res.writeHead(502).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    exports,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forwardedHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of ['content-type', 'content-encoding', 'accept', 'user-agent']) {
    const value = headers[name];
    if (typeof value === 'string') forwarded[name] = value;
  }
  return forwarded;
}
