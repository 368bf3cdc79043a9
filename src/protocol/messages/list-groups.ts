// ListGroups v0-5, flexible from v3.

import { a, f, message } from '../schema.js';

export const ListGroupsRequest = message(16, 'ListGroupsRequest', '0-5', '3+', [
  f('statesFilter', '[]string', '4+'),
  f('typesFilter', '[]string', '5+'),
]);

export const ListGroupsResponse = message(16, 'ListGroupsResponse', '0-5', '3+', [
  f('throttleTimeMs', 'int32', '1+'),
  f('errorCode', 'int16'),
  a('groups', '0+', [
    f('groupId', 'string'),
    f('protocolType', 'string'),
    f('groupState', 'string', '4+'),
    f('groupType', 'string', '5+'),
  ]),
]);
