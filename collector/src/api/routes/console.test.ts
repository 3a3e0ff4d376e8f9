/** The console's static serving, on a real fastify with a console build written to a temp folder. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiContext } from '../context.js'
import { consoleRoutesFor, fileFor } from './console.js'

async function appFor(dist: string): Promise<FastifyInstance> {
  const app = Fastify()
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }))
  app.get('/api/health', async () => ({ ok: true }))
  await app.register(consoleRoutesFor(dist), { ctx: {} as ApiContext })
  return app
}

describe('console files served by the collector', () => {
  let dir: string
  let dist: string
  let app: FastifyInstance
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-console-'))
    dist = path.join(dir, 'dist')
    await mkdir(path.join(dist, 'assets'), { recursive: true })
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/index-abc123.js"></script>')
    await writeFile(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)')
    await writeFile(path.join(dir, 'secret.txt'), 'not for the web')
    app = await appFor(dist)
  })
  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers index.html, revalidated, at / and at any deep link outside /api', async () => {
    for (const url of ['/', '/devices/pc-1', '/tickets?status=open', '/customers/acme/sites/hq']) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(200)
      expect(res.headers['content-type']).toMatch(/text\/html/)
      expect(res.headers['cache-control']).toBe('no-cache')
      expect(res.body).toContain('<title>console</title>')
    }
  })

  it('serves hashed assets with a year-long immutable cache', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/javascript/)
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(res.body).toBe('console.log(1)')
  })

  it('does not answer HTML for a missing asset, an unknown /api path, or a path out of the folder', async () => {
    expect((await app.inject({ url: '/assets/index-old999.js' })).statusCode).toBe(404)
    const api = await app.inject({ url: '/api/nope' })
    expect(api.statusCode).toBe(404)
    expect(api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } })
    expect((await app.inject({ url: '/api/health' })).json()).toEqual({ ok: true })
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await app.inject({ url })
      expect(res.body, url).not.toContain('not for the web')
    }
    expect(fileFor(dist, '/../secret.txt')).toBeNull()
    expect(fileFor(dist, '/%2e%2e/secret.txt')).toBeNull()
    expect(fileFor(dist, '/assets/%00x')).toBeNull()
    expect(fileFor(dist, '/assets')).toBeNull()
  })

  it('says how to build the console when console/dist is missing', async () => {
    const bare = await appFor(path.join(dir, 'never-built'))
    try {
      const res = await bare.inject({ url: '/devices/pc-1' })
      expect(res.statusCode).toBe(503)
      expect(res.headers['content-type']).toMatch(/text\/html/)
      expect(res.body).toContain('pnpm console:build')
      expect((await bare.inject({ url: '/api/nope' })).statusCode).toBe(404)
    } finally {
      await bare.close()
    }
  })
})
