// DeleteGroups v0-2, flexible from v2.

import { a, f, message } from '../schema.js';

export const DeleteGroupsRequest = message(42, 'DeleteGroupsRequest', '0-2', '2+', [
  f('groupsNames', '[]string'),
]);

export const DeleteGroupsResponse = message(42, 'DeleteGroupsResponse', '0-2', '2+', [
  f('throttleTimeMs', 'int32'),
  a('results', '0+', [
    f('groupId', 'string'),
    f('errorCode', 'int16'),
  ]),
]);
