/**
 * A TCP port that is free right now, for tests that start servers and processes: the demo's own
 * helper, given to the tests from here so that they import their helpers from `test/` only.
 */
export { freePort } from '../../demo/free-port.js';
