import type { Server } from 'node:net'

/**
 * Listen on the wanted port; if it is taken and the port was only a default (nobody asked for it),
 * take a free one instead and say which, rather than fail: a newcomer's machine may already run a
 * Mosquitto on 1883 or something else on 8080.
 */
export async function listenWithFallback(server: Server, host: string, port: number, explicit: boolean): Promise<{ port: number; fellBack: boolean }> {
  const attempt = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off('listening', onListening)
        reject(error)
      }
      const onListening = () => {
        server.off('error', onError)
        const address = server.address()
        resolve(typeof address === 'object' && address ? address.port : p)
      }
      server.once('error', onError)
      server.once('listening', onListening)
      server.listen(p, host)
    })
  try {
    return { port: await attempt(port), fellBack: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || explicit) {
      throw new Error(`cannot listen on ${host}:${port}: ${(error as Error).message}`, { cause: error })
    }
    return { port: await attempt(0), fellBack: true }
  }
}
