// Builds the example legacy supplemental pack with gulp 5 and suppack/gulp:
// rpms/*.rpm in, out/example-hello.iso, .iso.md5 and .metadata.md5 out.
// Run: npm install, copy ../legacy-pack/rpms here, then `npx gulp`.
const { pipeline } = require('node:stream/promises');
const { src, dest } = require('gulp');
const { supplementalPack } = require('suppack/gulp');

function pack() {
  // pipeline, not .pipe(): an error in any stage then fails the task (a .pipe() chain loses it).
  return pipeline(
    // encoding: false: RPMs and ISOs are binary; gulp 5 reads files as UTF-8 text by default.
    src('rpms/*.rpm', { encoding: false }),
    supplementalPack({
      vendorCode: 'example',
      vendorName: 'Example Vendor Inc.',
      label: 'example-hello',
      text: 'Example hello pack',
      version: '1.0',
      build: '42',
      memoryMb: 20,
      productVersion: '7.0.0',
    }),
    dest('out'),
  );
}

exports.pack = pack;
exports.default = pack;
