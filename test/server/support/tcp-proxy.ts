/**
 * A TCP proxy on 127.0.0.1 in front of a database, so that a test can make the database go away mid-request: `cut()`
 * drops every connection and refuses new ones until `restore()`; `cutOnNextWrite()` drops them the moment the client
 * next sends anything (a statement in flight is lost before the server sees it); `cutWhenSent(text, n)` does so when
 * the client sends `text` (a command's name) for the `n`th time, counted over all connections; `holdWhenSent(text, n)`
 * instead holds everything clients send from then on (the server sees none of it) until `release()`.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): void;
  cutOnNextWrite(): void;
  cutWhenSent(text: string, count: number): void;
  /** Resolves once the `count`th `text` is held. */
  holdWhenSent(text: string, count: number): Promise<void>;
  /** Sends on what was held, in order, and stops holding. */
  release(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  let cutOnWrite = false;
  let tripwire: { text: string; left: number; hold?: () => void } | undefined;
  let held: [Socket, Buffer][] | undefined;
  const cutAll = () => {
    held = undefined;
    refusing = true;
    cutOnWrite = false;
    tripwire = undefined;
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
      if (tripwire) tripwire.left -= chunk.toString('latin1').split(tripwire.text).length - 1;
      if (tripwire?.hold && tripwire.left <= 0) {
        const heard = tripwire.hold;
        tripwire = undefined;
        held = [];
        heard();
      }
      if (cutOnWrite || (tripwire && tripwire.left <= 0)) {
        cutAll();
        return;
      }
      if (held) held.push([upstream, chunk]);
      else upstream.write(chunk);
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
    cutWhenSent(text, count) {
      tripwire = { text, left: count };
    },
    holdWhenSent(text, count) {
      return new Promise<void>((hold) => (tripwire = { text, left: count, hold }));
    },
    release() {
      const chunks = held ?? [];
      held = undefined;
      for (const [upstream, chunk] of chunks) upstream.write(chunk);
    },
    restore() {
      refusing = false;
      cutOnWrite = false;
      tripwire = undefined;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
