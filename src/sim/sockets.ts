// Closing a simulated server ends every connection to it, as a stopped API server does: upgraded
// (exec) sockets, TLS handshakes in progress and keep-alive connections a client keeps busy, which
// `closeAllConnections` alone leaves open, holding `close()` up for as long as a client polls.
import type { Server, Socket } from "node:net";

/** Starts tracking the server's sockets; the function returned destroys every one still open. */
export function trackSockets(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
}
