/** A case-insensitive "contains" search for `ilike`: `%` and `_` typed by a user are meant literally. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
