import { describe, expect, it } from '@jest/globals';
import { BenchArgumentError } from '../report/scenario-entry.js';
import { parseOutageArgs } from './consul-outage.js';
import { parseLeaseArgs } from './lease-failover.js';

describe('bench:outages arguments', () => {
  it('defaults to 30 s and 120 s outages of every kind but the combined one, failsafe on and off, once', () => {
    expect(parseOutageArgs([])).toEqual({ seconds: [30, 120], kinds: ['agents', 'quorum'], failsafe: [true, false], repeat: 1 });
  });

  it('takes the issue-19 check as written', () => {
    expect(parseOutageArgs(['--seconds', '60', '--kinds', 'agents-then-quorum', '--failsafe', 'off', '--repeat', '3'])).toEqual({
      seconds: [60],
      kinds: ['agents-then-quorum'],
      failsafe: [false],
      repeat: 3,
    });
  });

  it('names every bad value at once, as bad input (exit code 2, no stack)', () => {
    expect(() => parseOutageArgs(['--repeat', '0'])).toThrow(BenchArgumentError);
    expect(() => parseOutageArgs(['--seconds', '0,abc', '--kinds', 'disk', '--failsafe', 'yes', '--repeat', '-1'])).toThrow(
      [
        '--seconds: expected whole seconds 1-3600, got 0',
        '--seconds: expected whole seconds 1-3600, got NaN',
        '--kinds: expected agents, quorum or agents-then-quorum, got disk',
        '--failsafe: expected on, off or on,off, got yes',
        '--repeat: expected a positive integer, got -1',
      ].join('\n'),
    );
  });
});

describe('bench:lease arguments', () => {
  it('defaults to the plugin default lease, five rounds', () => {
    expect(parseLeaseArgs([])).toEqual({ leases: [undefined], rounds: 5 });
  });

  it('mixes the default with explicit leases in seconds', () => {
    expect(parseLeaseArgs(['--leases', 'default,1.5,10', '--rounds', '3'])).toEqual({ leases: [undefined, 1.5, 10], rounds: 3 });
  });

  it('refuses leases the validation would refuse and a round count that is not a positive integer', () => {
    expect(() => parseLeaseArgs(['--leases', '0.1,soon', '--rounds', '2.5'])).toThrow(
      ['--leases: expected "default" or seconds 0.3-60, got 0.1', '--leases: expected "default" or seconds 0.3-60, got NaN', '--rounds: expected a positive integer, got 2.5'].join('\n'),
    );
  });
});
