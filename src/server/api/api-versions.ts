// ApiVersions v0-3. The list comes from the dispatch table (index.ts).
// Unknown versions are answered in the v0 shape by the connection (KIP-511).

import { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import type { ApiHandler } from './handler.js';
import { supportedApis } from './index.js';

export const apiVersions: ApiHandler = {
  apiKey: 18,
  minVersion: 0,
  maxVersion: 3,
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  handle: () => ({ errorCode: 0, apiKeys: supportedApis(), throttleTimeMs: 0 }),
};
