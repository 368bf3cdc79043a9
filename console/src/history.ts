// The last hour of rates and lag (GET /stats/history), or null when the broker
// has none yet: the route is not served, answers 404, or holds no point.

import { ApiError, type Api, type ConsoleConfig } from './api.js';
import type { History } from './api-types.js';

export async function loadHistory(api: Api, config: ConsoleConfig): Promise<History | null> {
  if (!config.routes.history) return null;
  try {
    const history = await api.get<History>('/stats/history');
    return history.points.length === 0 ? null : history;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}
