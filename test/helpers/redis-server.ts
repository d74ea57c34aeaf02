/**
 * A private redis-server on a free loopback port, for tests that stop, pause and restart Redis
 * (the shared test Redis on 6379 must never be touched). The test owns the process by its pid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** Whether `redis-server` is installed. Throws instead when Redis tests are mandatory. */
export function redisServerAvailable(): boolean {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && (process.env.CI === 'true' || process.env.REQUIRE_REDIS === '1')) {
    throw new Error('redis-server is required for these tests but is not installed (apt-get install redis-server)');
  }
  if (!found) console.warn('\n[tests] redis-server is not installed: tests that stop and restart Redis are SKIPPED\n');
  return found;
}

/** A redis-server this test started. */
export class OwnRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** Starts a server on a free port. */
  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  /** `redis://127.0.0.1:<port>/0`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  /** (Re)starts the server on the same port and waits until it answers. */
  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await this.answers())) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server (as an outage would) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** Freezes the server: connections stay open but nothing answers (a hung Redis). */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Thaws a paused server. */
  resume(): void {
    this.process?.kill('SIGCONT');
  }

  private async answers(): Promise<boolean> {
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 500,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
