import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A file served by `startFileServer`. */
export interface ServedFile {
  body: string;
  type?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A real HTTP server on 127.0.0.1 serving fixed files, counting requests per path. */
export interface FileServer {
  readonly origin: string;
  hits(path: string): number;
  close(): Promise<void>;
}

/** Starts a loopback server for `files` (path → content). Unknown paths get an HTML 404 page. */
export async function startFileServer(
  files: Record<string, ServedFile | string>,
): Promise<FileServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const file = files[path];
    if (file === undefined) {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<!doctype html><html><body>404 Not Found</body></html>");
      return;
    }
    const {
      body,
      type,
      delayMs = 0,
    }: ServedFile = typeof file === "string" ? { body: file } : file;
    setTimeout(() => {
      res.writeHead(200, {
        "content-type": type ?? (path.endsWith(".py") ? "text/x-python" : "application/typescript"),
      });
      res.end(body);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
