/** FAT12/16/32 images (an installer ISO's boot/efiboot.img): read, list, and patch one file natively. */
export { openFat } from './image';
export type { FatImage } from './image';
export { decodeBpb } from './bpb';
export type { Bpb, FatType } from './bpb';
