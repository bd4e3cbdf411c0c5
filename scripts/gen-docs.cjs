// Generates the option reference pages from the schemas and the CLI's own usage text, so the
// docs cannot drift from the code. `npm run generate` writes them; `--check` exits 1 when stale.
// Needs the build (dist/).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { writeGenerated } = require('./write-generated.cjs');
const { z } = require('zod');

const root = join(__dirname, '..');
const dist = (p) => require(join(root, 'dist', p));

// The pattern syntax of `prebuilt` (core/base/file-globs.ts), appended to the manifest reference.
const PATTERNS_SECTION = [
  '## Patterns (`prebuilt`)',
  '',
  '`prebuilt` patterns are matched by the [glob](https://www.npmjs.com/package/glob) package and handed',
  'to Nx as the collect-rpms target\'s inputs as written, so the RPMs the stage reads are the files Nx',
  'hashes. A pattern is relative to the project root (no leading `/`, `./` or `..`).',
  '',
  '| pattern | matches |',
  '|---|---|',
  '| `*`, `?` | any characters / one character within a name |',
  '| `**` | any number of directories (`rpms/**/*.rpm`), or everything below (`rpms/**`) |',
  '| `[ab]`, `[a-z]`, `[!a]`, `[^a]` | one character of / not of the class |',
  '| `{x86_64,noarch}` | either alternative; nests (`{a,b{c,d}}`); `{,x}` allows an empty one |',
  '| `@(a\\|b)`, `?(a\\|b)`, `!(a)` | exactly one / at most one of the alternatives / anything but |',
  '| `rpms/extra/` | a trailing `/`: every file below `rpms/extra` |',
  '| `!rpms/**/*debuginfo*` | a leading `!` excludes what it matches from every other pattern of the list |',
  '',
  '- Wildcards match names that start with a dot (`rpms/*.rpm` matches `rpms/.old.rpm`), as Nx\'s',
  '  matcher does; exclude such files with `!**/.*`.',
  '- Matching is case-sensitive: `*.rpm` does not match `A.RPM`.',
  '- A symbolic link to a file is matched; `**` enters a symlinked directory once, unless it is the',
  '  first segment, as Bash does. Directories are never matched, only files.',
  '- Every including pattern must select at least one file after the exclusions; an exclusion may',
  '  select none. A file selected by two patterns is taken once.',
  '- Refused, because Nx\'s input hashing reads them differently: `+(...)` and `*(...)` (Nx reads one',
  '  occurrence), `{1..3}` ranges and `[[:digit:]]` classes (Nx matches them literally). Write the',
  '  alternatives out instead.',
  '',
  'Under Nx, collect-rpms also refuses a selected RPM that Nx does not hash by its content, since a',
  'change to it would be served from the cache: a symbolic link (Nx hashes the link), a file ignored',
  'by a `.gitignore` or `.nxignore` (Nx does not see it), or a file below a symlinked directory.',
  'Commit prebuilt RPMs, or keep them in a directory that is not ignored.',
  '',
];

function optionTable(schema) {
  return jsonTable(z.toJSONSchema(schema, { io: 'input' }));
}

/** A markdown table of an object JSON Schema's properties. */
function jsonTable(json) {
  const required = new Set(json.required ?? []);
  if (!json.properties || Object.keys(json.properties).length === 0) return '_No options: everything comes from the project\'s suppack.json._';
  const rows = Object.entries(json.properties).map(([name, p]) => {
    const type =
      p.const !== undefined
        ? `\`${JSON.stringify(p.const)}\``
        : p.type === 'array'
          ? `${p.items.type ?? 'object'}[]`
          : p.enum
            ? p.enum.map((v) => `\`${v}\``).join(' \\| ')
            : p.type;
    const dflt = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    return `| \`${name}\` | ${type} | ${required.has(name) ? 'yes' : ''} | ${dflt} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return ['| field | type | required | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The object schemas of a (possibly nested) oneOf / anyOf, flattened; the schema itself otherwise. */
function alternatives(json) {
  const alts = json.oneOf ?? json.anyOf;
  return alts ? alts.flatMap(alternatives) : [json];
}

/** Nested object and array-of-object properties of a JSON Schema, each as its own table. */
function nestedTables(json, path) {
  const out = [];
  for (const [name, p] of Object.entries(json.properties ?? {})) {
    const obj = p.type === 'object' && p.properties ? p : p.type === 'array' && p.items?.properties ? p.items : p.anyOf?.find((a) => a.properties);
    if (obj && obj.properties) {
      const where = `${path}${name}${p.type === 'array' ? '[]' : ''}`;
      out.push(`### \`${where}\``, '', jsonTable(obj), '', ...nestedTables(obj, `${where}.`));
    } else if (p.type === 'array' && p.items?.oneOf) {
      const where = `${path}${name}[]`;
      for (const alt of p.items.oneOf) {
        out.push(`### \`${where}\` — ${alt.description ?? alt.properties?.kind?.const ?? ''}`, '', jsonTable(alt), '');
      }
    }
  }
  return out;
}

function pages() {
  const { usage } = dist('cli/build-supplemental-pack.js');
  const { usage: updateUsage } = dist('cli/build-update.js');
  const { rebuildUsage } = dist('cli/rebuild-iso.js');
  const { combineUsage } = dist('cli/combine-packs.js');
  const { updatePackSchema } = dist('schemas/update-pack.js');
  const { legacyPackSchema, legacyRequiresSchema } = dist('schemas/legacy-pack.js');
  const banner = '<!-- Generated by scripts/gen-docs.cjs from the schemas and the CLI; edit those, then run npm run generate. -->';
  const { projectManifestSchema } = dist('schemas/manifest.js');
  const manifestJson = z.toJSONSchema(projectManifestSchema, { io: 'input', unrepresentable: 'any' });
  const executors = require(join(root, 'executors.json')).executors;
  const generators = require(join(root, 'generators.json')).generators;
  const schemaOf = (rel) => JSON.parse(readFileSync(join(root, rel), 'utf8'));
  const { RULES } = dist('core/products/lint/rules.js');
  const { pluginOptionsSchema, defaultPluginOptions } = dist('schemas/plugin-options.js');
  const { MANIFEST_READS } = dist('core/products/stage-reads.js');
  const { usage: lintUsage } = dist('cli/lint.js');
  return {
    'docs/lint.md': lintPage(banner, RULES, lintUsage),
    'docs/nx/manifest.md': [
      banner,
      '# `suppack.json`',
      '',
      'One `suppack.json` in a project directory makes it a suppack project: the Nx plugin infers its',
      'targets from it. Editors complete it from `node_modules/suppack/schemas/suppack.schema.json`.',
      '',
      'Its `kind` says what the project makes:',
      '',
      '- `pack` (the default, so `kind` may be left out): a supplemental pack, legacy or update format;',
      '  targets render-spec, build-srctarballs, build-rpms, collect-rpms, pack-metadata, build-iso, bundle.',
      '- `bundle`: legacy packs combined into one ISO; target combine-packs.',
      '- `installer`: an installer ISO rebuilt with packs, an answerfile and extra files; target rebuild-iso.',
      '',
      'A `packs` entry of a bundle or installer is either the name of a workspace project (a legacy pack,',
      'whose build-iso runs first, or a bundle, whose combine-packs runs first) or the path of a pack ISO',
      'ending in `.iso`, relative to the project root. Update-format packs cannot be members: the',
      'installer reads one yum repo per source.',
      '',
      ...alternatives(manifestJson).flatMap((alt) => [
        `## ${alt.title ?? 'Project'}`,
        '',
        ...(alt.description ? [alt.description, ''] : []),
        jsonTable(alt),
        '',
        ...nestedTables(alt, ''),
      ]),
      ...PATTERNS_SECTION,
    ].join('\n'),
    'docs/nx/plugin-options.md': [
      banner,
      '# Plugin options',
      '',
      '`nx add suppack` (or `nx g suppack:init`) registers the plugin in `nx.json`, loaded from its own',
      'subpath so computing the project graph loads no build code, with every option written out:',
      '',
      '```json',
      JSON.stringify({ plugins: [{ plugin: 'suppack/plugin', options: defaultPluginOptions() }] }, null, 2),
      '```',
      '',
      'Each option names one inferred target; the executor stays `suppack:<stage>` and `dependsOn`',
      'follows the new names. `"plugin": "suppack"` (the package root) works too. Options are checked',
      'when the graph is computed: an unknown option (with the closest known one), a name that is not a',
      'target name, or two targets with one name fails the graph with every problem listed.',
      '',
      optionTable(pluginOptionsSchema),
      '',
    ].join('\n'),
    'docs/nx/caching.md': [
      banner,
      '# What each target hashes',
      '',
      'Each inferred target of a pack project hashes what its stage reads, nothing more, so an edit',
      're-runs the stages that read it and takes the others from the cache (local or remote). Of',
      '`suppack.json` a target hashes only the parts below (a runtime input printing them, `node -e`,',
      'run by Nx from the workspace root with /bin/sh, or cmd.exe on Windows: the command is quoted so',
      'that both read it alike, unless the project\'s path holds a double quote, a backquote, a',
      'backslash, $, %, ! or ^); the executor hands its stage a manifest on which reading any other',
      'field is an internal error, so the cache key cannot miss a field the stage uses',
      '(`core/products/stage-reads.ts`). Later stages also hash the files earlier stages wrote',
      '(`dependentTasksOutputFiles`): the rendered specs, the RPMs, the metadata.',
      '',
      '| target | parts of suppack.json it hashes |',
      '|---|---|',
      ...Object.entries(MANIFEST_READS).map(([stage, paths]) => `| \`${stage}\` | ${paths.map((p) => `\`${p}\``).join(', ')} |`),
      '',
      'Besides: every target hashes the suppack version (`externalDependencies`); `render-spec` the',
      'spec templates and EULA files; `build-srctarballs` the source trees; `build-rpms` the same, the',
      'rpmbuild version, each kernel\'s headers (a kernel-devel RPM by its bytes, an installed build tree',
      'by its identity files) and `SOURCE_DATE_EPOCH`; `collect-rpms` the prebuilt RPMs its globs',
      'name. Bundle and installer projects hash their whole `suppack.json` and every member ISO by content.',
      '',
      'Every path in `suppack.json` is relative, with "/" between directories and no ".." component',
      '(`schemas/paths.ts`), so each file a target hashes lies inside the project (inside the workspace',
      'for `kernels[].develRpm`). A `\\` is refused: Nx would read it as a separator and the build, on',
      'Linux, as a letter of the name, so the two would see different files, and `a\\..\\..` would',
      'climb out of the project in the hash. A drive (`C:`) is refused too. In `prebuilt` patterns',
      '`\\` escapes the next character, as in any glob, but a ".." component is refused either way.',
      '',
      'So editing `pack.text` re-runs `pack-metadata` and `build-iso` only; a README re-runs nothing;',
      'a new suppack version re-runs everything (`e2e/nx.e2e.test.ts` checks a table of such edits).',
      '',
      '## Paths with spaces',
      '',
      'No target hashes where the workspace is, and none needs to: every output is the same bytes',
      'wherever the workspace lies, so a cache entry made under one path is right under another.',
      'This holds for a workspace whose path has a space, a quote or another character that shells',
      'and make read as their own. rpm writes its paths into the scripts it runs without quotes',
      '(`cd %{_builddir}` in `%prep`) and kbuild refuses a directory with a space or a colon, so',
      'when the absolute path of `dist/<project>/.rpmbuild` has a character other than letters,',
      'digits and `/ . _ + - ~ @`, `build-rpms` runs rpmbuild (and extracts `kernels[].develRpm`) in',
      'a private directory under the temp directory instead (`TMPDIR`, else /var/tmp, else /tmp: the',
      'first with such a path), named `.suppack-rpmbuild.<pid>-<hex>.tmp` and removed when the',
      'target ends; a killed build\'s is removed by the next `build-rpms` run',
      '(`core/products/rpms/work-dir.ts`). The RPMs are the same bytes as from any other path',
      '(`e2e/nx.e2e.test.ts` builds a copy of its workspace under `else where\'s/`).',
      '',
    ].join('\n'),
    'docs/nx/executors.md': [
      banner,
      '# Executors',
      '',
      'Each inferred target runs one executor. They read the project\'s `suppack.json` and write under',
      '`dist/<projectRoot>/`; options are few on purpose, so nothing machine-specific reaches a cache key.',
      '',
      ...Object.entries(executors).flatMap(([name, e]) => [
        `## \`suppack:${name}\``,
        '',
        e.description,
        '',
        jsonTable(schemaOf(e.schema)),
        '',
      ]),
    ].join('\n'),
    'docs/nx/generators.md': [
      banner,
      '# Generators',
      '',
      ...Object.entries(generators).flatMap(([name, g]) => [
        `## \`nx g suppack:${name}\``,
        '',
        g.description,
        '',
        jsonTable(schemaOf(g.schema)),
        '',
      ]),
    ].join('\n'),
    'docs/cli/build-supplemental-pack.md': [
      banner,
      '# `suppack build-supplemental-pack`',
      '',
      'Builds a legacy supplemental pack (XS-REPOSITORY / XS-PACKAGES) from RPMs, with the flags of the',
      "DDK's `build-supplemental-pack.sh`.",
      '',
      '```',
      usage,
      '```',
      '',
      '## Pack metadata',
      '',
      'Every flag lands in one schema (`schemas/legacy-pack.ts`), shared with the Nx executors and the',
      'gulp plugin. Its fields:',
      '',
      optionTable(legacyPackSchema),
      '',
      'Each `requires` entry:',
      '',
      optionTable(legacyRequiresSchema),
      '',
      '## Outputs',
      '',
      'The files are written to temps and replaced together (docs/security.md, "Outputs after a',
      "kill\"). A build replaces every file an earlier build left under the same label: what it does",
      "not write (an update pack's `<label>.iso.sha256`; with `--no-iso`, the ISO and its `.iso.md5`) is",
      'removed, and named on stderr. A `<label>.tar.gz` is never removed: without `--tarball`, an',
      "earlier build's tarball stays as it was.",
      '',
      '## Exit codes',
      '',
      '- 0: the pack was written.',
      '- 1: an input or option was wrong (a `suppack: error:` line on stderr names the file or flag,',
      '  the field and what was expected; the flags are checked all at once, a line per problem);',
      '  nothing was written.',
      '- 2: a usage mistake (unknown option, missing value).',
      '',
    ].join('\n'),
    'docs/cli/build-update.md': [
      banner,
      '# `suppack build-update`',
      '',
      "Builds an update ISO or a driver disk (update.xml + signed yum repo; XenServer 7.1+, Citrix",
      "Hypervisor 8, XCP-ng 8) from RPMs, with the flags of the vendor's `build-update`.",
      '',
      '```',
      updateUsage,
      '```',
      '',
      '## Update metadata',
      '',
      'Every flag lands in one schema (`schemas/update-pack.ts`), shared with `suppack.json`',
      '(`"format": "update"`), the Nx executors and the gulp plugin. Its fields:',
      '',
      optionTable(updatePackSchema),
      '',
      '## Signing',
      '',
      'Signing is on when `--keyfile` (`pack.key` in suppack.json) names the public key published',
      "with the update. The secret key comes from `-k/--key`: as in build-update, a gpg user id, key id",
      'or fingerprint, exported once from the keyring (`GNUPGHOME`) with',
      '`gpg --batch --armor --export-secret-keys -- UID` (GnuPG 2.1+; the passphrase goes to gpg on a',
      "pipe); or, as a suppack extension, the path of a secret key file. Without `--key` it comes from",
      '`SUPPACK_SIGNING_KEY` (the armored key, its base64, or a file path; never shown in a message,',
      'docs/security.md), or from `SUPPACK_SIGNING_KEY_ID`: a gpg user id, key id or fingerprint',
      'exported as `--key UID` is (the way to sign from the keyring in the Nx targets and gulp, which',
      'take no key option; set one of the two variables). The passphrase comes from',
      '`--passphrase-file`, `SUPPACK_SIGNING_PASSPHRASE_FILE` or `SUPPACK_SIGNING_PASSPHRASE` (suppack',
      'never prompts); none of them is ever part of a target option or a cache key. A passphrase file',
      "gives the bytes of its first line, as `gpg --passphrase-file` reads it (without a CR before the",
      'line break); a passphrase that is not UTF-8 (typed in an ISO-8859-1 terminal) works only from a',
      'file, as the variable reaches suppack as UTF-8 text. The build refuses',
      'a secret key that the public key file does not hold. When gpg is missing, has no key for the',
      'user id or needs a passphrase it was not given, the error says so in one line.',
      'Sign with an RSA key: rpm 4.11.3, the rpm of every update host, cannot verify EdDSA, so an',
      'Ed25519 key is refused before anything is written; every RPM of the update is checked against',
      'that rpm too (docs/hosts.md).',
      '',
      '## What lands on the host, and how suppack differs from build-update',
      '',
      'See [update packs](../update-packs.md): the applied stamps xapi reads back (and the model of',
      "xapi's `parse_update_info` the tests apply to them), when the precheck runs, and every place",
      "where suppack's output differs from the vendor's `build-update`, with the reason.",
      '',
      '## Outputs',
      '',
      'The ISO and its `.sha256` are written to temps and replaced together (docs/security.md,',
      '"Outputs after a kill"). A legacy pack\'s `.iso.md5` and `.metadata.md5` left under the same',
      'name by an earlier build are removed, and named on stderr: they do not describe the new ISO.',
      '',
      '## Exit codes',
      '',
      '- 0: the ISO was written.',
      '- 1: an input or option was wrong (a `suppack: error:` line on stderr names the file or flag,',
      '  the field and what was expected; the flags are checked all at once, a line per problem);',
      '  nothing was written.',
      '- 2: a usage mistake (unknown option, missing value).',
      '',
    ].join('\n'),
    'docs/cli/rebuild-iso.md': [
      banner,
      '# `suppack rebuild-iso` and `suppack combine-packs`',
      '',
      '```',
      rebuildUsage,
      '```',
      '',
      '```',
      combineUsage,
      '```',
      '',
      '## How the output is made',
      '',
      'The input is copied by the kernel (`cp --reflink=auto`: a clone on btrfs or XFS, copy_file_range',
      'elsewhere) while the changes are prepared; nothing of it is read through suppack. Then:',
      '',
      '- a changed file (a patched `isolinux.cfg`, `grub.cfg`, `efiboot.img`, `XS-REPOSITORY-LIST`) goes',
      '  over its old blocks when it fits in them; boot images only at the same size, so the El Torito',
      '  catalog and the partitions stay as they are;',
      '- `install.img` grows in place: the members (drivers, answerfile; gzip newc) go after its data,',
      '  over free blocks or blocks of small files that move to the new session, or, for an answerfile',
      '  alone, before its data as a raw newc cpio (the kernel unpacks every member in order and skips',
      '  the zeros between them). It only moves to the new session when every place in the image costs',
      '  more than the file itself. An install.img that starts with gzip or xz data is unpacked by the',
      '  boot loaders (mboot.c32, GRUB), which keep only its first stream: there the answerfile always',
      '  goes first, and drivers are refused with an error. A second rebuild with another answerfile',
      '  puts its member last, so the kernel and `suppack inspect` both see the newest one;',
      '- the new tree and the new files (packs, includes) are written after the input\'s data, and the',
      '  volume descriptors, isohybrid MBR and GPT are rewritten for the new size: a partition that',
      '  held the whole file still does, one that ended at the volume\'s end (`isohybrid --uefi`, as',
      '  XCP-ng masters its media) ends at the new volume\'s end.',
      '',
      'So the output is about the input\'s size plus the packs, and the time is close to a copy of the',
      'input: `npm run bench:rebuild` measures it against `cp` and the xorriso ways.',
      '',
      '## Boot menus',
      '',
      'With an answerfile, `answerfile=file:///answerfile.xml install` joins the dom0 kernel\'s',
      'command line of the chosen entries of every boot menu: `boot/isolinux/isolinux.cfg`,',
      '`EFI/<vendor>/grub*.cfg`, and every isolinux/syslinux or `grub*.cfg` menu inside the FAT images',
      'El Torito boots (`boot/efiboot.img`, where XCP-ng keeps the grub.cfg its UEFI boot reads, and',
      'any other FAT image the boot catalog points at). Each menu is parsed, not searched with',
      'patterns (`core/xenserver/installer/boot-menu.ts`):',
      '',
      '- isolinux/syslinux: `LABEL` entries (`TEXT HELP` blocks, `MENU BEGIN`/`MENU END`, `\\`',
      '  continuations); a Xen entry is `KERNEL` or `COM32 mboot.c32` whose `APPEND` reads',
      '  `<xen> [args] --- <dom0 kernel> [args] --- <initrd> ...`;',
      '- GRUB: `menuentry` blocks, nested in `submenu`s (named `submenu>title`, as GRUB\'s `default`',
      '  takes them), with GRUB\'s quoting, comments, `;` and `\\` continuations; a Xen entry loads the',
      '  hypervisor with `xen_hypervisor` (XenServer since host-installer moved to GRUB\'s xen_boot',
      '  loader), `multiboot2` or the older `multiboot` (an image whose name contains "xen"), and its',
      '  dom0 kernel is the first `xen_module`, `module2` or `module` after it, whatever its file name.',
      '',
      'Every entry is one of: an **install** entry (Xen, dom0 kernel found); a **shell** entry (Xen,',
      '`bash-shell` on the dom0 line: the installer\'s rescue shell, which starts the installer when it',
      'exits, so an answerfile there would turn it into an unattended install); **other** (memtest, local',
      'boot, chainload, a plain Linux kernel). By default the install entries get the parameters and',
      'shell and other entries are left alone. `--entries=NAME,...` (manifest `bootEntries`, gulp',
      '`bootEntries`) names exactly the entries to patch instead, by LABEL, title or `submenu>title`,',
      'in every menu that has them; a shell entry may be named, a non-Xen entry may not.',
      '',
      'Only the dom0 arguments of those entries change: the parameters go after the last one (a',
      '`key=value` with the same key and another value is replaced in place, one already there is',
      'left, so a second rebuild changes nothing); every other byte of the menu stays (tabs, CRLF,',
      'comments, other entries). For each menu, rebuild-iso prints (CLI: stdout, Nx: the log, gulp: the',
      '`log` option, stderr by default) the entries it patched and each entry it left with why:',
      '',
      '```',
      'EFI/xenserver/grub.cfg: answerfile parameters added to "install", "no-serial", "advanced-options>common-criteria-prep"',
      'EFI/xenserver/grub.cfg: left "memtest": is not a Xen entry (linux /boot/memtest86+x64.efi)',
      'EFI/xenserver/grub.cfg: left "shell": is a shell entry (bash-shell): the installer starts when the shell exits; name it to patch it',
      '```',
      '',
      'It fails, writing nothing, when a menu has Xen entries of which none can be patched (only shell',
      'entries, a hypervisor without a dom0 module, or none of them named), naming the menu and each',
      'entry; when a named entry is in no menu or is not a Xen entry; and when no menu has an install',
      'entry at all. A menu without any Xen entry (a `configfile` redirect) is left alone. `suppack',
      'inspect` shows every entry of these menus with its kind, its hypervisor line and its dom0 line.',
      '## The answerfile',
      '',
      'The answerfile is checked against the installers\' own grammar (XenServer\'s host-installer and',
      'XCP-ng\'s fork) and goes into install.img byte for byte. What both installers refuse is an error',
      'naming the element or attribute; what only one refuses, what they read otherwise than it looks',
      '(`gueststorage="1"` is false) and what only the host decides (disk and interface names) is a',
      '`suppack: warning:` line on stderr. Any encoding the installers\' parser takes is accepted',
      '(UTF-8, UTF-16, ISO-8859-1, windows-1252...). [docs/answerfile.md](../answerfile.md) lists the',
      'grammar.',
      '',
      '## Exit codes',
      '',
      '- 0: the ISO was written.',
      '- 1: an input was wrong (not an ISO, no installer layout, an answerfile mistake with its',
      '  element, a boot menu whose Xen entries cannot be patched, an entry name no menu has, a',
      '  volume id over 32 characters, a pack label that is already on the medium, an update-format',
      '  pack); nothing was written.',
      '- 2: a usage mistake.',
      '',
    ].join('\n'),
  };
}

/** docs/lint.md: every rule of core/products/lint/rules.ts with its guide section, an example and the fix. */
function lintPage(banner, rules, usage) {
  const section = (r) => (r.section.includes('/') ? `[${r.section}](${r.section.replace(/^docs\//, '')})` : `DDK guide ${r.section}`);
  return [
    banner,
    '# suppack lint',
    '',
    "The rules and guidelines of the XenServer Driver Development Kit guide (its chapter 7 \"Rules and",
    'guidelines\", section 1.4 \"What should (not) be in a supplemental pack?\" and the kernel module',
    "chapters), and what the target host's rpm can install (docs/hosts.md), checked before a pack is",
    'built: by `suppack lint`, by the Nx target `lint` of every pack project (cached; `build-iso` runs',
    'only when it finds no error) and by the gulp plugin `lint()`.',
    '',
    'Each finding names the rule, the RPM and the file (or scriptlet) inside it. Errors fail the',
    'check; warnings are reported. A rule can be turned off per project, with the reason, in',
    '`suppack.json`; its findings are still shown, marked ignored (SARIF: a suppression):',
    '',
    '```json',
    '{ "lint": { "ignore": { "PLACE-UDEV": "our udev package reads /lib/udev/rules.d" } } }',
    '```',
    '',
    "`lint.previous` names the previous release's pack ISO (UPGRADE-PREVIOUS). The Nx target writes",
    '`dist/<projectRoot>/lint/lint.json` and `lint.sarif` (SARIF 2.1.0, for CI systems that show',
    'findings inline); the gulp plugin emits the report as a file with `report: "lint.sarif"`.',
    '',
    '## The command',
    '',
    '```',
    usage,
    '```',
    '',
    '## Rules',
    '',
    '| rule | severity | source | what it checks |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.id}](#${r.id.toLowerCase()}) | ${r.severity} | ${section(r)} | ${r.title.replace(/\|/g, '\\|')} |`),
    '',
    ...rules.flatMap((r) => [`### ${r.id}`, '', `${r.severity}, ${section(r)}. ${r.title}`, '', `- Breaks it: ${r.example}`, `- Fix: ${r.fix}`, '']),
    '## Limits',
    '',
    '- A module\'s vermagic is read from its `.modinfo` strings: uncompressed `.ko` files in gzip',
    '  payloads. Compressed modules, other payloads and gulp stream contents are noted as not checked.',
    '- Scriptlets are read as shell text: a command hidden behind a variable or a sourced file is not',
    '  seen.',
    '',
  ].join('\n');
}

writeGenerated(pages(), 'docs');
