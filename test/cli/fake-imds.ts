/**
 * A fake EC2 instance metadata service that speaks IMDSv2 only, on 127.0.0.1 and a random port:
 * `PUT /latest/api/token` hands out a token, and a `GET` without that token is refused with 401,
 * as IMDS does when IMDSv1 is off.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Starts the fake; `instanceId` is what `/latest/meta-data/instance-id` answers. With `hang`, the
 * token `PUT` is never answered, as in a container on EC2 whose hop limit drops IMDS's reply.
 */
export async function fakeImds(instanceId: string, { hang = false } = {}) {
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const requests: { method: string; path: string; token: boolean }[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    const given = request.headers["x-aws-ec2-metadata-token"];
    requests.push({ method: request.method ?? "", path, token: given === token });
    if (hang) return;
    if (request.method === "PUT" && path === "/latest/api/token") {
      if (request.headers["x-aws-ec2-metadata-token-ttl-seconds"] === undefined) {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(200, { "content-type": "text/plain" }).end(token);
      return;
    }
    if (request.method !== "GET") {
      response.writeHead(405).end();
      return;
    }
    if (given !== token) {
      response.writeHead(401).end();
      return;
    }
    if (path === "/latest/meta-data/instance-id") {
      response.writeHead(200, { "content-type": "text/plain" }).end(instanceId);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // a hanging request's too
        server.close(() => resolve());
      }),
  };
}
