import { describe, expect, test } from 'vitest';
import { parsePluginOptions, STAGES, targetNameOption } from './plugin-options';

const oneLineEach = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message.split('\n');
  }
  throw new Error('expected a SuppackError');
};

describe('plugin options (nx.json plugins[suppack].options)', () => {
  test('one <stage>TargetName option per stage; by default each target is named after its stage', () => {
    expect(STAGES.map(targetNameOption)).toEqual([
      'renderSpecTargetName',
      'buildSrctarballsTargetName',
      'buildRpmsTargetName',
      'collectRpmsTargetName',
      'lintTargetName',
      'packMetadataTargetName',
      'buildIsoTargetName',
      'bundleTargetName',
      'combinePacksTargetName',
      'rebuildIsoTargetName',
    ]);
    for (const none of [undefined, null, {}]) expect(parsePluginOptions(none)['build-iso']).toBe('build-iso');
    expect(parsePluginOptions({ buildIsoTargetName: 'iso', lintTargetName: 'rpmlint' })).toMatchObject({ 'build-iso': 'iso', lint: 'rpmlint', 'build-rpms': 'build-rpms' });
  });

  test('every problem at once, one line each: unknown options with the closest known one, wrong types, two targets with one name', () => {
    expect(
      oneLineEach(() =>
        parsePluginOptions({ build_iso: 'iso', buildIsoTargetNam: 'x', bogus: 1, lintTargetName: 5, bundleTargetName: 'build-rpms', rebuildIsoTargetName: 'a b' }),
      ),
    ).toEqual([
      'nx.json: plugins[suppack].options.build_iso: unknown option (known: renderSpecTargetName, buildSrctarballsTargetName, buildRpmsTargetName, collectRpmsTargetName, lintTargetName, packMetadataTargetName, buildIsoTargetName, bundleTargetName, combinePacksTargetName, rebuildIsoTargetName)',
      'nx.json: plugins[suppack].options.buildIsoTargetNam: unknown option; did you mean buildIsoTargetName?',
      expect.stringMatching(/^nx\.json: plugins\[suppack\]\.options\.bogus: unknown option \(known: /),
      'nx.json: plugins[suppack].options.lintTargetName: expected a string, got the number 5',
      'nx.json: plugins[suppack].options.rebuildIsoTargetName: expected a target name of letters, digits, "_", "." or "-"',
      'nx.json: plugins[suppack].options.bundleTargetName: "build-rpms" is also the name of the build-rpms target; each target needs its own name',
    ]);
  });

  test('renaming a target onto another renamed one names both options; the pre-0.2 targetNames says what replaced it', () => {
    expect(oneLineEach(() => parsePluginOptions({ buildIsoTargetName: 'iso', bundleTargetName: 'iso' }))).toEqual([
      'nx.json: plugins[suppack].options.bundleTargetName: "iso" is also the name of buildIsoTargetName; each target needs its own name',
    ]);
    expect(oneLineEach(() => parsePluginOptions({ targetNames: { 'build-iso': 'iso' } }))).toEqual([
      'nx.json: plugins[suppack].options.targetNames: unknown option; each target now has its own option (renderSpecTargetName, buildSrctarballsTargetName, …)',
    ]);
    expect(oneLineEach(() => parsePluginOptions(['x']))).toEqual(['nx.json: plugins[suppack].options: expected an object of options such as {"buildIsoTargetName": "iso"}, got an array']);
  });
});
