import { createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * A real Postgres 18 with pgvector 0.8 (PGlite: Postgres compiled to WebAssembly, one backend) that `pg`
 * reaches over TCP on 127.0.0.1, as it would any server.
 *
 * PGlite has one backend, so the question is how several connections share it. What
 * @electric-sql/pglite-socket 0.2.17 does (read in its source, reproduced here):
 * - `maxConnections` 1 (the default): a second connection is answered with a raw "Too many connections"
 *   line and closed. A `pg.Pool` drops a client after any query error and reconnects at once, before the
 *   server has noticed the close, so the reconnect is refused ("Connection terminated unexpectedly").
 * - `maxConnections` > 1: it queues every protocol *message* in one global queue, so the Parse / Bind /
 *   Execute / Sync of two clients interleave on the one backend ("unnamed prepared statement does not
 *   exist", `portal "" does not exist`, other clients' rows, then a hang) — it keeps a client exclusive only
 *   inside an explicit transaction.
 *
 * So the tests use pglite-socket as it is safe — one `pg.Client` at a time (`startPgliteSocket`) — and,
 * for pools, `startPgliteServer`: the same backend behind a front that hands it to one connection for a
 * whole exchange (from its first message until the backend is idle again: `ReadyForQuery` with status
 * `I`, so an extended-query sequence, a COPY and a transaction are never interleaved with another
 * client's), never forwards `Terminate`, and rolls back a transaction whose connection went away. Any
 * number of connections may be open; their work runs one exchange at a time, which is a correct (if
 * serial) schedule for a Postgres server. Session state (SET, session advisory locks) is shared, so the
 * adapter uses only SET LOCAL and transaction-scoped locks.
 */
export interface PgliteServer {
  readonly db: PGlite;
  readonly host: string;
  readonly port: number;
  readonly connectionString: string;
  /** Connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

export async function createPgliteDatabase(): Promise<PGlite> {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  return db;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

interface Connection {
  readonly socket: Socket;
  buffer: Buffer;
  started: boolean;
  readonly inbox: Uint8Array[];
  closed: boolean;
}

/** The status byte of the last ReadyForQuery in a run of backend messages, if any. */
function lastReadyStatus(output: Uint8Array): string | undefined {
  let status: string | undefined;
  let at = 0;
  while (at + 5 <= output.length) {
    const type = output[at]!;
    const length =
      ((output[at + 1]! << 24) | (output[at + 2]! << 16) | (output[at + 3]! << 8) | output[at + 4]!) >>> 0;
    if (type === 0x5a && length === 5 && at + 5 < output.length)
      status = String.fromCharCode(output[at + 5]!);
    at += 1 + length;
  }
  return status;
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

export async function startPgliteServer(db?: PGlite): Promise<PgliteServer> {
  const database = db ?? (await createPgliteDatabase());
  const pending: Connection[] = [];
  let owner: Connection | undefined;
  let pumping = false;
  let accepted = 0;
  const sockets = new Set<Socket>();

  const exchange = (message: Uint8Array) => database.runExclusive(() => database.execProtocolRaw(message));

  async function release(connection: Connection): Promise<void> {
    // The owner left mid-exchange: finish its extended-query sequence and undo its transaction.
    const status = lastReadyStatus(await exchange(SYNC));
    if (status === 'T' || status === 'E') await database.runExclusive(() => database.exec('ROLLBACK'));
    if (owner === connection) owner = undefined;
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        if (owner?.closed) await release(owner);
        const connection = owner ?? pending.find((c) => c.inbox.length > 0 && !c.closed);
        if (!connection || connection.inbox.length === 0) return; // the owner's next message will resume
        owner = connection;
        const message = connection.inbox.shift()!;
        const output = await exchange(message);
        if (!connection.closed && output.length > 0) connection.socket.write(output);
        if (lastReadyStatus(output) === 'I') {
          owner = undefined;
          // Round robin: the connection just served goes to the back of the line.
          const at = pending.indexOf(connection);
          if (at >= 0) pending.push(...pending.splice(at, 1));
        }
      }
    } finally {
      pumping = false;
    }
  }

  function receive(connection: Connection, data: Buffer): void {
    connection.buffer = connection.buffer.length ? Buffer.concat([connection.buffer, data]) : data;
    for (;;) {
      const buffer = connection.buffer;
      if (!connection.started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        connection.buffer = buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          connection.socket.write('N'); // no TLS: the client goes on in plain text
          continue;
        }
        if (code === CANCEL_REQUEST) {
          connection.socket.end(); // cancellation is not supported; the query runs to its end
          return;
        }
        connection.started = true;
        connection.inbox.push(new Uint8Array(buffer.subarray(0, length)));
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const message = buffer.subarray(0, length);
      connection.buffer = buffer.subarray(length);
      if (message[0] === 0x58) {
        connection.socket.end(); // Terminate: the shared backend must not see it
        return;
      }
      connection.inbox.push(new Uint8Array(message));
    }
  }

  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      buffer: Buffer.alloc(0),
      started: false,
      inbox: [],
      closed: false,
    };
    pending.push(connection);
    socket.on('data', (data: Buffer) => {
      receive(connection, data);
      void pump();
    });
    const gone = () => {
      if (connection.closed) return;
      connection.closed = true;
      sockets.delete(socket);
      pending.splice(pending.indexOf(connection), 1);
      void pump();
    };
    socket.on('close', gone);
    socket.on('error', gone);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const { port } = address;
  return {
    db: database,
    host: '127.0.0.1',
    port,
    connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    connections: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!db) await database.close();
    },
  };
}

/** pglite-socket in the one mode that is safe with `pg`: a single connection, used by one `pg.Client`. */
export async function startPgliteSocket(
  db?: PGlite,
): Promise<{ db: PGlite; connectionString: string; close(): Promise<void> }> {
  const database = db ?? (await createPgliteDatabase());
  const server = new PGLiteSocketServer({ db: database, host: '127.0.0.1', port: 0 });
  await server.start();
  return {
    db: database,
    connectionString: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async close() {
      await server.stop();
      if (!db) await database.close();
    },
  };
}
