/**
 * The agent's logger: JSON lines (pino) with secrets censored by key wherever they appear in a
 * logged object, as a second line of defence behind `redact()` of the config: a password or an
 * enrollment token must never reach a log file that a customer may send to anyone.
 */
import pino, { type DestinationStream, type Logger } from 'pino'

export const SECRET_PATHS = [
  'mqttPassword', 'password', 'enrollToken', 'token',
  '*.mqttPassword', '*.password', '*.enrollToken', '*.token',
  'config.mqttPassword', 'config.enrollToken',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, name: 'agent', redact: { paths: SECRET_PATHS, censor: '***' } }
  return destination ? pino(options, destination) : pino(options)
}
