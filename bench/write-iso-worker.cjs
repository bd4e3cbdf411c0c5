// Child process of pack-iso.mjs: writes one ISO of a directory with suppack's writer and
// reports its own peak RSS (peak-rss.cjs), so the parent's memory does not count. Third
// argument: digests to compute while writing (comma list, e.g. md5), none by default.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { writeIso } = require('../dist/core/formats/iso');
const { peakRssKiB } = require('./peak-rss.cjs');

const [tree, out, digests = ''] = process.argv.slice(2);
const entries = readdirSync(tree)
  .filter((f) => !f.startsWith('.'))
  .map((f) => ({ path: f, kind: 'file', size: statSync(join(tree, f)).size, source: join(tree, f) }));
writeIso(entries, { volumeId: 'BENCH', applicationId: 'suppack bench', epoch: 946684800, digests: digests ? digests.split(',') : [] }, out).then(() => {
  process.stdout.write(JSON.stringify({ maxRssMb: peakRssKiB() / 1024 }));
});
