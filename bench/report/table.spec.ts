import { describe, expect, it } from '@jest/globals';
import { formatTable } from './table.js';

describe('formatTable', () => {
  it('aligns the numbers right, prints n/a for a figure without samples, and keeps notes last', () => {
    const text = formatTable([
      { figure: 'failover SIGKILL N=2 period=1s', unit: 's', summary: { count: 20, min: 0.412, median: 1.034, p95: 1.5, max: 12.25 } },
      { figure: 'RSS backup', unit: 'MB', summary: undefined, note: 'cut short: 0 of 20 kills' },
    ]);
    expect(text.split('\n')).toEqual([
      'figure                           n    min  median   p95   max  unit',
      '------------------------------  --  -----  ------  ----  ----  ----  ------------------------',
      'failover SIGKILL N=2 period=1s  20  0.412    1.03  1.50  12.3  s',
      'RSS backup                       0    n/a     n/a   n/a   n/a  MB    cut short: 0 of 20 kills',
    ]);
  });
});
