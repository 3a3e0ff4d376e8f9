import fc from 'fast-check'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@patrol/shared'
import { loadCollectorConfig } from './config.js'

describe('collector configuration', () => {
  it('takes DATABASE_URL, MQTT_URL and PORT and says which ports somebody asked for', () => {
    const config = loadCollectorConfig({ env: { DATABASE_URL: 'postgres://u@db/patrol', MQTT_URL: 'mqtts://broker:8883', PORT: '9000' } })
    expect(config).toMatchObject({ databaseUrl: 'postgres://u@db/patrol', mqttUrl: 'mqtts://broker:8883', port: 9000, explicit: { port: true, mqttPort: false } })
    expect(loadCollectorConfig({ env: {} }).explicit).toEqual({ port: false, mqttPort: false })
  })

  it('names every wrong field at once, with where the value came from', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-config-'))
    const file = path.join(dir, 'collector.yaml')
    writeFileSync(file, 'port: 70000\nretentionDayz: 5\n')
    try {
      loadCollectorConfig({ file, env: { DATABASE_URL: 'mysql://x', PATROL_CLOCK_TOLERANCE_S: 'soon' } })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as Error).message
      expect(message).toMatch(/port: .*70000.*collector\.yaml/)
      expect(message).toMatch(/retentionDayz: unknown setting/)
      expect(message).toMatch(/databaseUrl: .*env PATROL_DATABASE_URL|databaseUrl: .*"mysql:\/\/x"/)
      expect(message).toMatch(/clockToleranceS: .*"soon"/)
    }
  })

  it('never crashes on a broken config file: a ConfigError or a valid config', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-config-'))
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom('port: [', '{"port": "x"}', '- a\n- b', 'null', '\u0000')), fc.boolean(), (text, yaml) => {
        const file = path.join(dir, yaml ? 'c.yaml' : 'c.json')
        writeFileSync(file, text)
        try {
          loadCollectorConfig({ file, env: {} })
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError)
        }
      }),
      { numRuns: 200 },
    )
  })
})
