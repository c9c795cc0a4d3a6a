import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** A built site served on 127.0.0.1. */
export interface SiteServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `root` as a static host does: `/` is `index.html`, an unknown path is
 * the site's own `404.html` with status 404, the hashed files under `/assets/` cacheable.
 */
export async function startSiteServer(root: string): Promise<SiteServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    const inside = file.startsWith(normalize(root));
    readFile(inside ? file : join(root, "404.html"))
      .then((body) => {
        res.writeHead(inside ? 200 : 404, {
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          // As VitePress asks of a host: its assets' names carry their hash, so a browser keeps
          // them; a page is asked for again each time.
          "cache-control":
            inside && path.startsWith("/assets/")
              ? "public, max-age=31536000, immutable"
              : "no-cache",
        });
        res.end(body);
      })
      .catch(async () => {
        res.writeHead(404, { "content-type": TYPES[".html"] });
        res.end(await readFile(join(root, "404.html")).catch(() => "404 Not Found"));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
