/** Rebuilding a XenServer / XCP-ng installer ISO with packs and an answerfile: formats.md sections 3 to 6. */
export { parseAnswerfile, parseAnswerfileXml } from './answerfile';
export type { Answerfile } from './answerfile';
export { answerfileParams, patchGrubCfg, patchIsolinuxCfg } from './boot-config';
export type { PatchedConfig } from './boot-config';
export { appendedMemberSpan, encodeInitrdMember, findAppendedMember, findLeadingMember, initrdPadding, loaderUnpackedCompression } from './initrd';
export { injectedAnswerfile } from './injected';
export type { FoundInitrdFile, InitrdFile } from './initrd';
export { detectInstallerLayout } from './layout';
export type { InstallerLayout } from './layout';
export { REPOSITORY_LIST, addToRepositoryList, encodeRepositoryList, packDirName, parseRepositoryList } from './repository-list';
export { grubEntries, isolinuxEntries } from './boot-entries';
export type { BootEntry } from './boot-entries';
