/** The FAT32 FSInfo sector (spec section 5): a hint of the free cluster count, kept in step by replaceFile. */

/** 5: FSI_LeadSig, FSI_StrucSig and FSI_TrailSig. */
const LEAD_SIG = 0x41615252;
const STRUC_SIG = 0x61417272;
const TRAIL_SIG = 0xaa550000;
/** 5: FSI_Free_Count value meaning "not known". */
export const FREE_COUNT_UNKNOWN = 0xffffffff;

export interface FsInfo {
  freeCount: number;
  nextFree: number;
}

/** 5: decode the FSInfo sector at `b[at]`, or undefined when its signatures are not there. */
export function decodeFsInfo(b: Buffer, at: number): FsInfo | undefined {
  if (at + 512 > b.length) return undefined;
  if (b.readUInt32LE(at) !== LEAD_SIG || b.readUInt32LE(at + 484) !== STRUC_SIG || b.readUInt32LE(at + 508) !== TRAIL_SIG) {
    return undefined;
  }
  return { freeCount: b.readUInt32LE(at + 488), nextFree: b.readUInt32LE(at + 492) };
}

/** 5: set FSI_Free_Count, leaving every other byte of the sector as it was. */
export function patchFsInfoFreeCount(b: Buffer, at: number, freeCount: number): void {
  b.writeUInt32LE(freeCount >>> 0, at + 488);
}
