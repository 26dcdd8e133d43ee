import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of the emulator: every client of the chaos
 * run talks through it, so an outage cuts them all off at once, as a network
 * partition or an SQS endpoint outage would (connections reset, new ones refused).
 */
export class TcpFaultProxy {
  private readonly sockets = new Set<net.Socket>();
  private down = false;

  private constructor(
    private readonly server: net.Server,
    readonly endpoint: string,
  ) {}

  static async start(target: URL): Promise<TcpFaultProxy> {
    const proxy: { current?: TcpFaultProxy } = {};
    const server = net.createServer((client) => proxy.current!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    proxy.current = new TcpFaultProxy(server, `http://127.0.0.1:${port}`);
    return proxy.current;
  }

  /** Cuts every connection and refuses new ones for `ms`. */
  async outage(ms: number): Promise<void> {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.down = false;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: URL): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  }
}
