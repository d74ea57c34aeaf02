/**
 * Container health check without curl: `node dist/src/healthcheck.js` exits 0 when the bridge on
 * this host answers `/healthz` on PORT, 1 otherwise.
 */
const port = Number(process.env.PORT ?? 8080);

fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) })
  .then((response) => process.exit(response.ok ? 0 : 1))
  .catch(() => process.exit(1));
