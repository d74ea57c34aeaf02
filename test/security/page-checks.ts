/**
 * What every HTML page of the bridge must carry (oidc-checklist.md §6 "Both legs", §7.20-21).
 */
import { expect } from 'vitest';

/** Asserts the page headers and that the page loads nothing from anywhere. */
export function expectSafePage(headers: Headers, html: string): void {
  expect(headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
  const csp = headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"]) {
    expect(csp).toContain(directive);
  }
  expect(csp).toMatch(/script-src ('none'|'sha256-)/);
  expect(csp).not.toContain('unsafe-inline');
  // form-action would make Chrome block the redirect after the logout confirmation POST.
  expect(csp).not.toContain('form-action');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('access-control-allow-origin')).toBeNull();
  // No third-party resources, no scripts at all.
  expect(html).not.toMatch(/<script|<link|<iframe|<img|src=/i);
}
