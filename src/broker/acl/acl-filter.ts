// Kafka's AclBindingFilter.matches: whether a binding is one a Describe or
// DeleteAcls filter is about. Fields that are null or ANY match anything.
// The pattern type decides how the name is compared:
//
//   ANY                 LITERAL and PREFIXED bindings named exactly so
//   LITERAL / PREFIXED  bindings of that pattern named exactly so
//   MATCH               bindings that apply to the named resource: LITERAL
//                       of that name or of '*', PREFIXED whose name starts it
//
// The filter is checked first (acl-validation.ts: no unknown codes, MATCH with a name).

import { type AclBinding, type AclBindingFilter, AclOperation, AclPatternType, AclPermissionType, AclResourceType, WILDCARD_RESOURCE } from '../../protocol/acl-codes.js';

/** Whether a binding of `patternType` named `bindingName` is one the filter's name and pattern type take. */
function patternMatches(filter: AclBindingFilter, patternType: number, bindingName: string): boolean {
  const name = filter.resourceName;
  if (filter.patternType === AclPatternType.MATCH) {
    if (name === null) return false;
    return patternType === AclPatternType.PREFIXED ? name.startsWith(bindingName) : bindingName === name || bindingName === WILDCARD_RESOURCE;
  }
  if (filter.patternType !== AclPatternType.ANY && filter.patternType !== patternType) return false;
  return name === null || name === bindingName;
}

export function filterMatches(filter: AclBindingFilter, b: AclBinding): boolean {
  return (
    (filter.resourceType === AclResourceType.ANY || filter.resourceType === b.resourceType) &&
    patternMatches(filter, b.patternType, b.resourceName) &&
    (filter.principal === null || filter.principal === b.principal) &&
    (filter.host === null || filter.host === b.host) &&
    (filter.operation === AclOperation.ANY || filter.operation === b.operation) &&
    (filter.permissionType === AclPermissionType.ANY || filter.permissionType === b.permissionType)
  );
}
