export { readPublicKeyFingerprints, readSigningKey } from './key';
export type { SigningKey } from './key';
export { armorSignature, signatureTime, signDetached } from './sign';
export { armor, crc24, dearmor } from './armor';
