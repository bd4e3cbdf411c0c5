/** ISO 9660 with Rock Ridge and Joliet: a streaming writer and a defensive reader. */
export * from './writer';
export { openIso } from './reader';
export { FileDigester, digesterPays } from './file-digests';
export type { FileToDigest } from './file-digests';
export { caseInsensitiveNames } from './plain-names';
export type { IsoDirent, IsoImage, IsoLimits, IsoVolume, OpenIsoOptions } from './reader';
export { DEFAULT_ISO_LIMITS } from './reader';
export { appendSession, beginAppendSession } from './append';
export type { AppendChanges, AppendOptions, AppendSession, FileExtension } from './append';
