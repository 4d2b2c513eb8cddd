/**
 * What a test file has open that must not outlive it (a booted service, a database cluster of its
 * own). Each is registered when it opens and removed when the test closes it; whatever a file
 * leaves open — its afterAll failed, or never ran because beforeAll failed half-way — is closed by
 * the test environment when the file ends (test/support/test-environment.js), so one broken suite
 * never keeps jest from exiting.
 */

type Close = () => Promise<void>;

declare global {
  // eslint-disable-next-line no-var
  var __SWITCHBOARD_OPEN__: Map<symbol, { label: string; close: Close }> | undefined;
}

/** Registers `close` for `label`; returns the function that unregisters it (call it once closed). */
export function trackOpen(label: string, close: Close): () => void {
  const open = (globalThis.__SWITCHBOARD_OPEN__ ??= new Map());
  const key = Symbol(label);
  open.set(key, { label, close });
  return () => void open.delete(key);
}
