/**
 * The claims of the ID token the benchmark's own signatures carry (the ceiling's sign loops, the
 * bare server's `/sign`): the size of one the bridge signs.
 */

/** An ID token's claims, of a typical size. */
export function idTokenPayload(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://sso.example.com', sub: 'user00001', aud: 'bench-rp', exp: now + 3600, iat: now,
    auth_time: now, nonce: 'n0123456789', sid: 'Zm9vYmFyYmF6cXV4cXV1eA',
  };
}
