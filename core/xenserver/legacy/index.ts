/** Legacy (XenServer 5.6 to 7.0) supplemental-pack metadata: docs/formats/xenserver.md §1. */
export { compatXml, escapeMinidom, serializeMinidom, toPrettyXml } from './minidom';
export type { XmlElement } from './minidom';
export {
  LEGACY_PACKAGE_TYPES,
  LEGACY_TESTS,
  packageElement,
  repositoryElement,
  requiresElement,
  xsPackagesXml,
  xsRepositoryXml,
} from './metadata';
export type { LegacyPackage, LegacyPackageType, LegacyRepository, LegacyRequires, LegacyTest } from './metadata';
export { checkPackagePaths, classifyPackage, isKernelName, isWhitelistedDriverLabel, KERNEL_ANY_DIRS } from './classify';
export type { ClassifiedPackage } from './classify';
export { dependencyGraph, parseDependencyEvr, rangesOverlap, reorderPackages, satisfiedBy } from './reorder';
export { isoMd5File, metadataMd5File } from './md5files';
export { compareXcpVersions, formatXcpVersion, parseXcpVersion, testXcpVersion, XCP_TEST_SYMBOLS } from './version';
export type { XcpArc, XcpVersion } from './version';
export { parseXsPackages, parseXsRepository } from './parse';
