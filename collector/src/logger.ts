import pino, { type Logger } from 'pino'

/** Readable lines on a terminal, JSON lines everywhere else (services, log shippers, CI). */
export function createLogger(level: string, name: string): Logger {
  if (process.stdout.isTTY && process.env.PATROL_LOG_FORMAT !== 'json') {
    return pino({ level, name, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } })
  }
  return pino({ level, name })
}
