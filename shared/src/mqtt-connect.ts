import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'

export interface ConnectOptions extends Omit<IClientOptions, 'protocolVersion' | 'reconnectPeriod'> {
  /**
   * 5 or 4 (3.1.1). `auto` starts with 5 and steps down to 4 when the broker refuses 5, as the
   * embedded broker (aedes) does.
   */
  protocolVersion?: 4 | 5 | 'auto'
  /** First reconnect delay; doubles up to `maxReconnectMs`, each delay with ±50 % jitter. */
  minReconnectMs?: number
  maxReconnectMs?: number
}

/**
 * An MQTT.js client with two things MQTT.js lacks: exponential reconnect backoff with jitter (so a
 * thousand agents do not come back on the same beat after an outage, see MQTT.js's fixed
 * `reconnectPeriod`) and a step down from MQTT 5 to 3.1.1 for brokers that only speak 3.1.1.
 * It returns at once; the client connects and reconnects in the background.
 */
export function connectMqtt(url: string, options: ConnectOptions = {}): MqttClient {
  const { protocolVersion = 'auto', minReconnectMs = 1000, maxReconnectMs = 60_000, ...rest } = options
  const first = protocolVersion === 'auto' ? 5 : protocolVersion
  let attempt = 0
  const nextDelay = () => {
    const base = Math.min(maxReconnectMs, minReconnectMs * 2 ** Math.min(attempt, 20))
    attempt += 1
    return Math.round(base * (0.5 + Math.random()))
  }
  const client = mqtt.connect(url, {
    ...rest,
    protocolVersion: first,
    reconnectPeriod: nextDelay(),
    // Keep trying after a refused CONNACK too: the version step-down needs it, and a refused
    // password may be fixed on the broker while the agent waits.
    reconnectOnConnackError: true,
  })
  // Runs before MQTT.js's own 'close' listener schedules the reconnect, so that it uses this delay.
  client.prependListener('close', () => {
    client.options.reconnectPeriod = nextDelay()
  })
  client.on('connect', () => {
    attempt = 0
  })
  client.on('error', (error: Error & { code?: number }) => {
    // CONNACK return code 1 (3.1.1) / reason 0x84 (5): unsupported protocol version.
    const refusedVersion = error.code === 1 || error.code === 0x84 || /protocol version/i.test(error.message)
    if (protocolVersion === 'auto' && client.options.protocolVersion === 5 && refusedVersion) {
      client.options.protocolVersion = 4
      delete client.options.properties
      client.options.reconnectPeriod = 10
    }
  })
  return client
}

/** Resolves when the client is connected (now or later), rejects after `timeoutMs`. */
export function waitForConnect(client: MqttClient, timeoutMs = 10_000): Promise<void> {
  if (client.connected) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('connect', onConnect)
      reject(new Error(`MQTT connection not established within ${timeoutMs} ms`))
    }, timeoutMs)
    const onConnect = () => {
      clearTimeout(timer)
      resolve()
    }
    client.once('connect', onConnect)
  })
}
