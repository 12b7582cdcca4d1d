import { createServer, request } from 'node:http';

/**
 * One loopback origin in front of several pforte processes, as a load balancer would be;
 * the test chooses which process serves the next requests (`use(index)`).
 */
export interface RoutingProxy {
  url: string;
  port: number;
  setTargets(ports: number[]): void;
  use(index: number): void;
  /** How many requests each target served. */
  served: number[];
  close(): Promise<void>;
}

export async function startRoutingProxy(): Promise<RoutingProxy> {
  let targets: number[] = [];
  let current = 0;
  const served: number[] = [];
  const server = createServer((req, res) => {
    served[current] = (served[current] ?? 0) + 1;
    const upstream = request({ host: '127.0.0.1', port: targets[current], method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://localhost:${port}`,
    port,
    served,
    setTargets(ports) {
      targets = ports;
    },
    use(index) {
      current = index;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
