/** Small UDP servers on 127.0.0.1 that answer SNMP requests the way broken devices do. */
import dgram from 'node:dgram'

export interface FakeAgent {
  port: number
  received: () => number
  close(): Promise<void>
}

async function bind(socket: dgram.Socket): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve())
  })
  return socket.address().port
}

function closer(...sockets: dgram.Socket[]): () => Promise<void> {
  return async () => {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

/** Answers every request with `junk(request)`: random bytes, a truncated BER, whatever. */
export async function junkAgent(junk: (request: Buffer) => Buffer): Promise<FakeAgent> {
  const socket = dgram.createSocket('udp4')
  let received = 0
  socket.on('message', (msg, rinfo) => {
    received++
    socket.send(junk(msg), rinfo.port, rinfo.address)
  })
  const port = await bind(socket)
  return { port, received: () => received, close: closer(socket) }
}

/**
 * Forwards requests to a real agent and passes its answers back through `alter`, which may cut
 * them short (a truncated datagram) or drop them (return undefined: a walk that stops midway).
 */
export async function proxyAgent(targetPort: number, alter: (answer: Buffer, index: number) => Buffer | undefined): Promise<FakeAgent> {
  const front = dgram.createSocket('udp4')
  const back = dgram.createSocket('udp4')
  let received = 0
  let answered = 0
  let client: dgram.RemoteInfo | undefined
  front.on('message', (msg, rinfo) => {
    received++
    client = rinfo
    back.send(msg, targetPort, '127.0.0.1')
  })
  back.on('message', (msg) => {
    const altered = alter(msg, answered++)
    if (altered && client) front.send(altered, client.port, client.address)
  })
  const port = await bind(front)
  await bind(back)
  return { port, received: () => received, close: closer(front, back) }
}
