import { expect, test } from 'vitest';
import { progressPrinter } from './progress';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream };
}

test('large writes report a line per 10% when not on a terminal, small ones nothing', () => {
  const big = sink(false);
  const report = progressPrinter('x.iso', big.stream);
  const total = 100 << 20;
  for (let w = 0; w <= total; w += 4 << 20) report({ written: w, total });
  report({ written: total, total });
  expect(big.lines[0]).toBe('writing x.iso: 0% (0 of 100 MiB)\n');
  expect(big.lines.at(-1)).toBe('writing x.iso: 100% (100 of 100 MiB)\n');
  expect(big.lines).toHaveLength(11);

  const small = sink(false);
  progressPrinter('y.iso', small.stream)({ written: 1 << 20, total: 1 << 20 });
  expect(small.lines).toEqual([]);
});

test('on a terminal one line is rewritten and ends with a newline', () => {
  const tty = sink(true);
  const report = progressPrinter('x.iso', tty.stream);
  report({ written: 50 << 20, total: 100 << 20 });
  report({ written: 100 << 20, total: 100 << 20 });
  expect(tty.lines).toEqual(['\rwriting x.iso: 50% (50 of 100 MiB)', '\rwriting x.iso: 100% (100 of 100 MiB)\n']);
});
