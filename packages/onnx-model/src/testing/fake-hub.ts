import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface LocalServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 at a port the OS picks. `close` drops open connections too, so a test that leaves a
 * download half-read cannot hang. (Its own copy: a published package cannot use the repo's private test utils.)
 */
async function listenOnLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LocalServer> {
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

/** The commit every fake repository is at. */
export const FAKE_COMMIT = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';

export interface FakeHubRequest {
  readonly method: string;
  readonly url: string;
  readonly range: string | undefined;
}

export interface FakeHub {
  readonly server: LocalServer;
  readonly requests: FakeHubRequest[];
  /** Next GET of this file path sends only this many bytes, then destroys the socket. */
  cutNext(path: string, bytes: number): void;
  /** Advertise a wrong sha256 for LFS files. */
  lieAboutSha256: boolean;
  /** Answer every request with this status (e.g. 500). */
  failWith: number | undefined;
  close(): Promise<void>;
}

/**
 * For tests of code that downloads models (ours and plugins'): a local stand-in for the Hugging Face hub's resolve
 * endpoint on 127.0.0.1, serving model folders as repositories
 * (`/{org}/{name}/resolve/{revision}/{path}`), with the headers the real hub sends: `X-Repo-Commit`, `ETag`,
 * and for LFS files (`.onnx`, `.onnx_data`) a 302 to a CDN URL plus `X-Linked-Etag` (sha256) / `X-Linked-Size`. Missing files
 * answer 404 with `X-Error-Code: EntryNotFound`; the CDN honours HTTP Range requests. The file tree API
 * (`/api/models/{org}/{name}/tree/{revision}/{path}`) lists a folder as the hub does, two entries per page
 * linked by `Link: rel="next"`, so pagination is exercised.
 */
export async function startFakeHub(repos: Record<string, string>): Promise<FakeHub> {
  const requests: FakeHubRequest[] = [];
  const cuts = new Map<string, number>();
  const hub: Omit<FakeHub, 'server' | 'close'> & { server?: LocalServer } = {
    requests,
    cutNext: (path, bytes) => cuts.set(path, bytes),
    lieAboutSha256: false,
    failWith: undefined,
  };
  const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
  const sendFile = (req: IncomingMessage, res: ServerResponse, file: string, path: string) => {
    const body = readFileSync(file);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range) {
      start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
    }
    const slice = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': String(slice.length),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const cut = cuts.get(path);
    if (cut !== undefined) {
      cuts.delete(path);
      res.write(slice.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(slice);
  };

  const server = await listenOnLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', url: url.pathname, range: req.headers.range });
    if (hub.failWith !== undefined) {
      res.writeHead(hub.failWith, { 'content-type': 'application/json' }).end('{"error":"failure"}');
      return;
    }
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    if (cdn) {
      const dir = repos[decodeURIComponent(cdn[1]!)];
      const path = decodeURIComponent(cdn[2]!);
      if (!dir) return void res.writeHead(404).end();
      return sendFile(req, res, join(dir, path), path);
    }
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (tree) {
      const root = repos[decodeURIComponent(tree[1]!)];
      if (!root) return void res.writeHead(401, { 'x-error-code': 'RepoNotFound' }).end('{}');
      const folder = (tree[3] ?? '').split('/').filter(Boolean).map(decodeURIComponent).join('/');
      let entries: { type: string; path: string; size: number }[];
      try {
        entries = readdirSync(join(root, folder), { withFileTypes: true })
          .map((e) => ({
            type: e.isDirectory() ? 'directory' : 'file',
            path: folder ? `${folder}/${e.name}` : e.name,
            size: e.isDirectory() ? 0 : statSync(join(root, folder, e.name)).size,
          }))
          .sort((a, b) => (a.path < b.path ? -1 : 1));
      } catch {
        return void res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('{}');
      }
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = entries.slice(cursor, cursor + 2);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + 2 < entries.length) {
        headers.link = `<${server.url}${url.pathname}?cursor=${cursor + 2}>; rel="next"`;
      }
      return void res.writeHead(200, headers).end(JSON.stringify(page));
    }
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const dir = m ? repos[m[1]!] : undefined;
    if (!m || !dir) {
      res.writeHead(401, { 'x-error-code': 'RepoNotFound' }).end('{"error":"Repository not found"}');
      return;
    }
    const revision = decodeURIComponent(m[2]!);
    if (revision !== 'main' && revision !== FAKE_COMMIT) {
      res.writeHead(404, { 'x-error-code': 'RevisionNotFound' }).end('{"error":"Revision not found"}');
      return;
    }
    const path = m[3]!.split('/').map(decodeURIComponent).join('/');
    const file = join(dir, path);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      res
        .writeHead(404, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': FAKE_COMMIT })
        .end('{"error":"Entry not found"}');
      return;
    }
    const body = readFileSync(file);
    // The hub stores weights in Git LFS: graphs and their external data.
    if (/\.onnx(_data(_\d+)?)?$/.test(path)) {
      const sha = hub.lieAboutSha256 ? 'f'.repeat(64) : sha256(body);
      res
        .writeHead(302, {
          location: `${server.url}/cdn/${m[1]}/${m[3]}`,
          'x-repo-commit': FAKE_COMMIT,
          'x-linked-etag': `"${sha}"`,
          'x-linked-size': String(size),
          etag: `"${createHash('sha1').update(body).digest('hex')}"`,
        })
        .end();
      return;
    }
    res.setHeader('x-repo-commit', FAKE_COMMIT);
    res.setHeader('etag', `"${createHash('sha1').update(body).digest('hex')}"`);
    sendFile(req, res, file, path);
  });
  hub.server = server;
  return Object.assign(hub, { server, close: () => server.close() }) as FakeHub;
}
