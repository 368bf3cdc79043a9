// IncrementalAlterConfigs v0-1 (v1 flexible, KIP-339): SET, DELETE, APPEND and
// SUBTRACT on single configs of a topic, this broker or a group; see
// src/broker/config-changes.ts for what is refused and with which error.

import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../protocol/messages/incremental-alter-configs.js';
import { answerAlterations } from './alter-configs.js';
import type { ApiHandler } from './handler.js';

export const incrementalAlterConfigs: ApiHandler = {
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  handle: (req, ctx) => answerAlterations(req, ctx, true),
};
