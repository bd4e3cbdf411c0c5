/** The side files next to a legacy pack (docs/formats/xenserver.md §1.6). */
import { createHash } from 'node:crypto';

/**
 * `<label>.metadata.md5`: md5 over the XS-REPOSITORY bytes then the XS-PACKAGES bytes, as hex
 * plus '\n'. It is the hash the installer's Verify button shows.
 */
export function metadataMd5File(repositoryXml: string, packagesXml: string): string {
  const hash = createHash('md5');
  hash.update(Buffer.from(repositoryXml, 'utf8'));
  hash.update(Buffer.from(packagesXml, 'utf8'));
  return `${hash.digest('hex')}\n`;
}

/** `<label>.iso.md5`: md5sum's format, `"%s  %s\n"` (two spaces). */
export function isoMd5File(md5hex: string, isoName: string): string {
  return `${md5hex}  ${isoName}\n`;
}
