/** Rebuilding a XenServer / XCP-ng installer ISO with packs and an answerfile: docs/formats/xenserver.md §3 to §6. */
export { parseAnswerfile, parseAnswerfileXml } from './answerfile';
export type { Answerfile } from './answerfile';
export { answerfileParams, menuSyntaxOf, parseBootMenu, patchBootMenu } from './boot-menu';
export type { BootMenu, EntryKind, LeftEntry, MenuEntry, MenuSyntax, PatchedMenu } from './boot-menu';
export { readInstallerMenus } from './menus';
export type { FatBootImage, IsoMenu } from './menus';
export { appendedMemberSpan, encodeInitrdMember, findAppendedMember, findLeadingMember, initrdPadding, loaderUnpackedCompression } from './initrd';
export { injectedAnswerfile } from './injected';
export type { FoundInitrdFile, InitrdFile } from './initrd';
export { detectInstallerLayout } from './layout';
export type { InstallerLayout } from './layout';
export { REPOSITORY_LIST, addToRepositoryList, encodeRepositoryList, packDirName, parseRepositoryList } from './repository-list';
