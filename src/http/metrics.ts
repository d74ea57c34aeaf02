/**
 * Prometheus metrics (prom-client), one registry per app so tests and replicas do not collide.
 * Labels come from route templates and fixed vocabularies, never from raw URLs or user input.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../context.js';
import type { NamespaceUsage } from '../store/memory.js';

/** Creates the registry and every metric. */
export function createMetrics(version: string, defaultMetrics = true): Metrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'wecom_oidc_build_info',
    help: 'Build information',
    labelNames: ['version', 'node'],
    registers: [registry],
  })
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
    wecomEvents: new Counter({
      name: 'wecom_oidc_wecom_events_total',
      help: 'WeCom contact events at /wecom/events by change type and outcome (ended, recheck, active, ignored, repeated, refused_<reason>)',
      labelNames: ['change', 'outcome'],
      registers: [registry],
    }),
    logoutDeliveries: new Counter({
      name: 'wecom_oidc_backchannel_logout_total',
      help: 'Back-channel logout token deliveries by outcome (delivered, retry, failed = given up, dropped = queue full)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    storeDuration: new Histogram({
      name: 'wecom_oidc_store_operation_duration_seconds',
      help: 'Store (Redis or memory) operation duration by operation and outcome (ok, error)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

/**
 * Gauges of the memory store's size per namespace, read at scrape time: a growing `login`
 * namespace is the sign of a flood of abandoned logins (see MemoryStore for the caps).
 */
export function watchMemoryStore(metrics: Metrics, usage: () => Record<string, NamespaceUsage>): void {
  const gauge = (name: string, help: string, pick: (u: NamespaceUsage) => number) => {
    // A metrics object shared by several apps (tests) keeps the first store's gauges.
    if (metrics.registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      labelNames: ['namespace'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [namespace, value] of Object.entries(usage())) this.labels(namespace).set(pick(value));
      },
    });
  };
  gauge('wecom_oidc_memory_store_entries', 'Live entries in the memory store by namespace', (u) => u.entries);
  gauge('wecom_oidc_memory_store_bytes', 'Approximate bytes of JSON in the memory store by namespace', (u) => u.bytes);
}
