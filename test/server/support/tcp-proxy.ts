/**
 * A TCP proxy on 127.0.0.1 in front of a database, so that a test can make the database go away mid-request: `cut()`
 * drops every connection and refuses new ones until `restore()`; `cutOnNextWrite()` drops the connections the moment
 * the client next sends anything (a query in flight is lost before the server sees it).
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): void;
  cutOnNextWrite(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  let cutOnWrite = false;
  const cutAll = () => {
    refusing = true;
    cutOnWrite = false;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      if (cutOnWrite) {
        cutAll();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy: no port');
  return {
    port: address.port,
    cut: cutAll,
    cutOnNextWrite() {
      cutOnWrite = true;
    },
    restore() {
      refusing = false;
      cutOnWrite = false;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
