// ApiVersions v0-3, flexible from v3.

import { a, f, message } from '../schema.js';

export const ApiVersionsRequest = message(18, 'ApiVersionsRequest', '0-3', '3+', [
  f('clientSoftwareName', 'string', '3+'),
  f('clientSoftwareVersion', 'string', '3+'),
]);

export const ApiVersionsResponse = message(18, 'ApiVersionsResponse', '0-3', '3+', [
  f('errorCode', 'int16'),
  a('apiKeys', '0+', [
    f('apiKey', 'int16'),
    f('minVersion', 'int16'),
    f('maxVersion', 'int16'),
  ]),
  f('throttleTimeMs', 'int32', '1+'),
  a('supportedFeatures', '3+', [
    f('name', 'string', '3+'),
    f('minVersion', 'int16', '3+'),
    f('maxVersion', 'int16', '3+'),
  ], { tag: 0 }),
  f('finalizedFeaturesEpoch', 'int64', '3+', { tag: 1, default: -1 }),
  a('finalizedFeatures', '3+', [
    f('name', 'string', '3+'),
    f('maxVersionLevel', 'int16', '3+'),
    f('minVersionLevel', 'int16', '3+'),
  ], { tag: 2 }),
  f('zkMigrationReady', 'bool', '3+', { tag: 3 }),
]);
