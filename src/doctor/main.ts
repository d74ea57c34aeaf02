/**
 * Entry point of `npm run doctor` (in the image: `node dist/src/doctor/main.js`).
 */
import { withDotEnv } from '../config/load.js';
import { runDoctor } from './doctor.js';

runDoctor(withDotEnv(process.env), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`wecom-oidc-bridge doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
