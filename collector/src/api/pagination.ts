/**
 * One shape for every list the API returns: `{ total, limit, offset, items }`, with `limit` and
 * `offset` taken from the query string. Routes spread `PAGE_QUERY` into their querystring schema
 * and answer with `page(...)`.
 */
import { Type, type TSchema } from '@sinclair/typebox'

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 500

export const PAGE_QUERY = {
  limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Items per page (1–${MAX_LIMIT})` }),
  offset: Type.Integer({ minimum: 0, default: 0, description: 'Items to skip' }),
}
export type PageQuery = { limit: number; offset: number }

/** The response schema of a list of `item`. */
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ total: Type.Integer({ minimum: 0 }), limit: Type.Integer(), offset: Type.Integer(), items: Type.Array(item) })
export type Page<T> = { total: number; limit: number; offset: number; items: T[] }

export const page = <T>(total: number, query: PageQuery, items: T[]): Page<T> => ({ total, limit: query.limit, offset: query.offset, items })
