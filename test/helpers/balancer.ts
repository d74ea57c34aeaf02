/**
 * A tiny HTTP load balancer for replica tests: PUBLIC_URL points at it, and it forwards each
 * request to one of several bridge replicas. Each route alternates between replicas on its own
 * counter, with callback and userinfo shifted by one, so in every login the hops land on
 * different replicas: authorize on A, WeCom callback on B, token on A, userinfo on B, then the
 * next login the other way round.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Routes whose n-th request goes to replica (n + 1) mod count instead of n mod count. */
const SHIFTED = new Set(['/wecom/callback', '/userinfo']);

/** Which replica served a request. */
export interface Served {
  readonly path: string;
  readonly replica: number;
  readonly status: number;
}

/** A running balancer. */
export class Balancer {
  readonly served: Served[] = [];
  private readonly counters = new Map<string, number>();
  private server: Server | undefined;

  constructor(
    private readonly backends: readonly number[],
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1:port. */
  async listen(): Promise<void> {
    this.server = createServer((incoming, outgoing) => {
      const path = (incoming.url ?? '/').split('?')[0]!;
      const replica = this.pick(path);
      const upstream = httpRequest(
        // agent: false, one connection per request: a restarted replica never meets a stale pooled socket.
        {
          host: '127.0.0.1',
          port: this.backends[replica],
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
          agent: false,
        },
        (response) => {
          this.served.push({ path, replica, status: response.statusCode ?? 0 });
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      upstream.on('error', () => {
        outgoing.writeHead(502).end();
      });
      incoming.pipe(upstream);
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
  }

  /** The port actually bound. */
  get boundPort(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Replicas that served `path`, in order. */
  replicasFor(path: string): number[] {
    return this.served.filter((entry) => entry.path === path).map((entry) => entry.replica);
  }

  /** Stops listening and drops kept-alive connections. */
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((done) => this.server?.close(done));
  }

  private pick(path: string): number {
    const n = this.counters.get(path) ?? 0;
    this.counters.set(path, n + 1);
    return (n + (SHIFTED.has(path) ? 1 : 0)) % this.backends.length;
  }
}
