/** One file a page loads, as a running service served it. */
export interface ServedFile {
  path: string;
  status: number;
  type: string | null;
  bytes: number;
}

/** The service's own files a page's HTML loads: <script src> and <link rel=stylesheet href>, in order. */
export function loadedFiles(html: string): string[] {
  const found = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
  return found.filter((path) => path.startsWith('/'));
}

/** GET /<page> from a running service, then every file it loads: what a browser would fetch. */
export async function fetchPage(url: string, page: string): Promise<{ page: ServedFile; csp: string | null; files: ServedFile[] }> {
  const get = async (path: string): Promise<{ file: ServedFile; text: string; csp: string | null }> => {
    const response = await fetch(`${url}${path}`);
    const text = await response.text();
    return { file: { path, status: response.status, type: response.headers.get('content-type'), bytes: Buffer.byteLength(text) }, text, csp: response.headers.get('content-security-policy') };
  };
  const index = await get(`/${page}`);
  const files = await Promise.all(loadedFiles(index.text).map(async (path) => (await get(path)).file));
  return { page: index.file, csp: index.csp, files };
}
