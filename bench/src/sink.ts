/**
 * A telemetry sink for the overhead runs: accepts what the app sends to Jaeger (/api/traces), an OTLP/HTTP
 * collector (/v1/traces), Pyroscope (/ingest) and Loki (/loki/api/v1/push) and answers like them, but only
 * counts requests and bytes, so that decoding (which a real backend does on another machine) does not take
 * CPU from the app here. The OTLP answer is an empty protobuf body (an ExportTraceServiceResponse with no
 * partial_success), which the OTLP exporter reads as full success.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkCounts {
  requests: number;
  bytes: number;
}

export interface Sink {
  url: string;
  counts: Record<'jaeger' | 'otlp' | 'pyroscope' | 'loki' | 'other', SinkCounts>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const counts: Sink['counts'] = {
    jaeger: { requests: 0, bytes: 0 },
    otlp: { requests: 0, bytes: 0 },
    pyroscope: { requests: 0, bytes: 0 },
    loki: { requests: 0, bytes: 0 },
    other: { requests: 0, bytes: 0 },
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [kind, status] =
      path === '/api/traces'
        ? (['jaeger', 202] as const)
        : path === '/v1/traces'
          ? (['otlp', 200] as const)
          : path === '/ingest'
            ? (['pyroscope', 200] as const)
            : path === '/loki/api/v1/push'
              ? (['loki', 204] as const)
              : (['other', 404] as const);
    counts[kind].requests++;
    req.on('data', (chunk: Buffer) => (counts[kind].bytes += chunk.length));
    req.on('end', () =>
      kind === 'otlp'
        ? res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end()
        : res.writeHead(status).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
