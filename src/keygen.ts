/**
 * `npm run --silent keygen > signing-key.pem` (in the image: `node dist/src/keygen.js`): prints a
 * new private signing key (PKCS#8 PEM) for SIGNING_ALG (default RS256), or for `--alg <alg>`.
 * Nothing else is printed on stdout, so the output can be redirected straight into a file.
 */
import type { SigningAlg } from './config/types.js';
import { generateSigningKeyPem } from './keys/generate.js';

const ALGS: readonly SigningAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

function chosenAlg(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const flag = argv.indexOf('--alg');
  if (flag !== -1) return argv[flag + 1] ?? '';
  return env.SIGNING_ALG?.trim() || 'RS256';
}

const alg = chosenAlg(process.argv.slice(2), process.env);
if (!(ALGS as readonly string[]).includes(alg)) {
  process.stderr.write(`keygen: unknown algorithm "${alg}"; use one of ${ALGS.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(generateSigningKeyPem(alg as SigningAlg));
process.stderr.write(
  `keygen: generated a ${alg} signing key (PKCS#8 PEM on stdout); keep it secret, give the same key to every replica\n`,
);
