/**
 * Prometheus metrics (prom-client), one registry per app so tests and replicas do not collide.
 * Labels come from route templates and fixed vocabularies, never from raw URLs or user input.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** The bridge's metrics. */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Histogram<'route' | 'method' | 'status'>;
  readonly logins: Counter<'outcome' | 'reason' | 'leg'>;
  readonly wecomCalls: Counter<'api' | 'errcode'>;
  readonly wecomDuration: Histogram<'api'>;
  readonly tokensIssued: Counter<'grant'>;
  readonly storeDuration: Histogram<'operation'>;
}

/** Creates the registry and every metric. */
export function createMetrics(version: string, defaultMetrics = true): Metrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  new Gauge({ name: 'wecom_oidc_build_info', help: 'Build information', labelNames: ['version', 'node'], registers: [registry] })
    .labels(version, process.version)
    .set(1);
  return {
    registry,
    httpRequests: new Histogram({
      name: 'wecom_oidc_http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    logins: new Counter({
      name: 'wecom_oidc_logins_total',
      help: 'Completed WeCom legs by outcome (success, denied, failed, handoff = sent to the QR hand-off), reason and leg (oauth, qr, session)',
      labelNames: ['outcome', 'reason', 'leg'],
      registers: [registry],
    }),
    wecomCalls: new Counter({
      name: 'wecom_oidc_wecom_api_requests_total',
      help: 'WeCom API calls by API and errcode (-1 = transport failure)',
      labelNames: ['api', 'errcode'],
      registers: [registry],
    }),
    wecomDuration: new Histogram({
      name: 'wecom_oidc_wecom_api_duration_seconds',
      help: 'WeCom API call duration',
      labelNames: ['api'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tokensIssued: new Counter({
      name: 'wecom_oidc_tokens_issued_total',
      help: 'Token responses by grant type',
      labelNames: ['grant'],
      registers: [registry],
    }),
    storeDuration: new Histogram({
      name: 'wecom_oidc_store_operation_duration_seconds',
      help: 'Store operation duration',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

/**
 * The memory store's live entries per namespace, read at scrape time: a `login` namespace at its
 * cap is the sign of a flood of abandoned logins (the benchmark's `--flood` reads it too).
 */
export function watchMemoryStore(metrics: Metrics, sizes: () => Record<string, number>): void {
  // A metrics object shared by several apps (tests) keeps the first store's gauge.
  if (metrics.registry.getSingleMetric('wecom_oidc_memory_store_entries')) return;
  new Gauge({
    name: 'wecom_oidc_memory_store_entries',
    help: 'Live entries in the memory store by namespace',
    labelNames: ['namespace'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [namespace, entries] of Object.entries(sizes())) this.labels(namespace).set(entries);
    },
  });
}
