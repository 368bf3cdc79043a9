// GET /stats/history: the last hour of the broker's traffic and total group lag,
// a point every 10 s, oldest first (broker/stats-history.ts), for the console's
// charts. Read-only, so always allowed.

import type { FastifyInstance } from 'fastify';
import type { HttpApiContext } from './api-context.js';
import { ERROR_RESPONSES } from './schemas.js';

const perSecond = { type: 'number', minimum: 0 } as const;

const historySchema = {
  type: 'object',
  properties: {
    intervalMs: { type: 'integer', description: 'time between two points' },
    points: {
      type: 'array',
      description: 'the last hour at most, oldest first; rates over the interval before each point',
      items: {
        type: 'object',
        properties: {
          t: { type: 'integer', description: 'when the point was taken, ms since the epoch' },
          recordsInPerSec: { ...perSecond, description: 'records appended by Produce' },
          recordsOutPerSec: { ...perSecond, description: 'records Fetch returned to consumers' },
          bytesInPerSec: { ...perSecond, description: 'record batch bytes appended by Produce' },
          bytesOutPerSec: { ...perSecond, description: 'record batch bytes Fetch returned to consumers' },
          groupLag: { type: 'integer', description: 'offsets from the commit to the high watermark, summed over every consumer group and partition' },
        },
      },
    },
  },
} as const;

export function registerStatsRoutes(app: FastifyInstance, ctx: HttpApiContext): void {
  app.get(
    '/stats/history',
    { schema: { summary: 'The last hour of records and bytes per second in and out and total consumer group lag', tags: ['meta'], response: { 200: historySchema, ...ERROR_RESPONSES } } },
    async () => ({ intervalMs: ctx.history.intervalMs, points: ctx.history.points() }),
  );
}
