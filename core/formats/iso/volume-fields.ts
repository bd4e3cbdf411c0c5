/**
 * ECMA-119 8.4 (primary volume descriptor) and 8.5 (supplementary, Joliet), and 9.1 (directory
 * record): where each field lies, defined once for the encoder (encode.ts), the decoder
 * (decode.ts) and the appended session's patch (append/write.ts). Offsets are 0-based (the standard's BP minus 1);
 * `both` fields are written twice, little- then big-endian (7.2.3, 7.3.3).
 */
export interface Field {
  offset: number;
  size: number;
  /** The clause of ECMA-119 (4th edition) that defines the field. */
  clause: string;
}

const f = (offset: number, size: number, clause: string): Field => ({ offset, size, clause });

export const VD = {
  type: f(0, 1, '8.4.1'),
  standardId: f(1, 5, '8.4.2'),
  version: f(6, 1, '8.4.3'),
  systemId: f(8, 32, '8.4.5'),
  volumeId: f(40, 32, '8.4.6'),
  /** both-endian 32 */
  volumeSpaceSize: f(80, 8, '8.4.8'),
  /** SVD 8.5.6: Joliet's UCS-2 level (%/@, %/C, %/E); unused (zero) in the PVD. */
  escapeSequences: f(88, 32, '8.5.6'),
  /** both-endian 16 */
  volumeSetSize: f(120, 4, '8.4.10'),
  /** both-endian 16 */
  volumeSequenceNumber: f(124, 4, '8.4.11'),
  /** both-endian 16 */
  logicalBlockSize: f(128, 4, '8.4.12'),
  /** both-endian 32 */
  pathTableSize: f(132, 8, '8.4.13'),
  /** little-endian 32 */
  typeLPathTable: f(140, 4, '8.4.14'),
  optionalTypeLPathTable: f(144, 4, '8.4.15'),
  /** big-endian 32 */
  typeMPathTable: f(148, 4, '8.4.16'),
  optionalTypeMPathTable: f(152, 4, '8.4.17'),
  rootDirectoryRecord: f(156, 34, '8.4.18'),
  volumeSetId: f(190, 128, '8.4.19'),
  publisherId: f(318, 128, '8.4.20'),
  dataPreparerId: f(446, 128, '8.4.21'),
  applicationId: f(574, 128, '8.4.22'),
  copyrightFileId: f(702, 37, '8.4.23'),
  abstractFileId: f(739, 37, '8.4.24'),
  bibliographicFileId: f(776, 37, '8.4.25'),
  creationDate: f(813, 17, '8.4.26'),
  modificationDate: f(830, 17, '8.4.27'),
  expirationDate: f(847, 17, '8.4.28'),
  effectiveDate: f(864, 17, '8.4.29'),
  fileStructureVersion: f(881, 1, '8.4.30'),
  applicationUse: f(883, 512, '8.4.32'),
} as const;

/** ECMA-119 9.1: the fixed part of a directory record; the file identifier (9.1.11) follows at `fileId`. */
export const DR = {
  length: f(0, 1, '9.1.1'),
  extendedAttributeLength: f(1, 1, '9.1.2'),
  /** both-endian 32 */
  extent: f(2, 8, '9.1.3'),
  /** both-endian 32 */
  dataLength: f(10, 8, '9.1.4'),
  recordingDate: f(18, 7, '9.1.5'),
  fileFlags: f(25, 1, '9.1.6'),
  fileUnitSize: f(26, 1, '9.1.7'),
  interleaveGap: f(27, 1, '9.1.8'),
  /** both-endian 16 */
  volumeSequenceNumber: f(28, 4, '9.1.9'),
  fileIdLength: f(32, 1, '9.1.10'),
  fileId: f(33, 0, '9.1.11'),
} as const;

/** [start, end) of a field, for subarray / fill. */
export function span(field: Field): [number, number] {
  return [field.offset, field.offset + field.size];
}
