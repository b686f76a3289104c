/**
 * A request's target as a URL, or null when `new URL()` cannot read it (`//[`, `http://a:99999/`, `http://%zz/`):
 * such a request is answered 400, and never throws out of a handler.
 */
export function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}
