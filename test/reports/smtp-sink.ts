/**
 * A real SMTP server (smtp-server, the collector package's test dependency) on 127.0.0.1 that
 * keeps every message it is given, parsed (mime.ts): where the report mails of the tests go.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { freePort, REPO_ROOT } from '../support/peers.js'
import { parseMail, type ParsedMail } from './mime.js'

interface SmtpServer {
  listen(port: number, host: string, cb: () => void): void
  close(cb: () => void): void
}
const { SMTPServer } = createRequire(path.join(REPO_ROOT, 'collector/package.json'))('smtp-server') as { SMTPServer: new (options: Record<string, unknown>) => SmtpServer }

export interface SmtpSink {
  url: string
  mails: ParsedMail[]
  close(): Promise<void>
}

/** `refuseOnce`: recipients whose next delivery is refused with a temporary 451 (the set is emptied as it goes). */
export async function startSmtpSink(options: { refuseOnce?: Set<string> } = {}): Promise<SmtpSink> {
  const mails: ParsedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: { address: string }, _session: unknown, callback: (error?: Error) => void) {
      if (options.refuseOnce?.delete(address.address)) return callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }))
      callback()
    },
    onData(stream: NodeJS.ReadableStream, _session: unknown, callback: () => void) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('latin1')))
        callback()
      })
    },
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) }
}
