import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHaKeyComments } from './ha-key-comments.js';

function commentsOf(source: string) {
  const dir = mkdtempSync(join(tmpdir(), 'a4c-key-comments-'));
  try {
    writeFileSync(join(dir, 'ha-config.ts'), source);
    return readHaKeyComments(join(dir, 'ha-config.ts'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('readHaKeyComments', () => {
  it('reads each member\'s text, origin and derived default; other @words stay text', () => {
    const source = `export interface HaConfig {
  /** Enable HA. @origin a4c */
  readonly ha_enabled: boolean;
  /**
   * Address of the check, see @a4c/ha's README,
   * on two lines.
   * @origin later-a4c
   * @defaultValue \`instanceIp\`
   */
  readonly instanceCheckIp?: string;
  /** Our addition (rule 14): detect crashes. */
  readonly peerCrashDetection: boolean;
}`;
    expect(commentsOf(source)).toEqual([
      { key: 'ha_enabled', text: 'Enable HA.', origin: 'a4c', defaultValue: undefined },
      { key: 'instanceCheckIp', text: "Address of the check, see @a4c/ha's README, on two lines.", origin: 'later-a4c', defaultValue: '`instanceIp`' },
      { key: 'peerCrashDetection', text: 'Our addition (rule 14): detect crashes.', origin: undefined, defaultValue: undefined },
    ]);
  });

  it('refuses a member without a comment, naming it', () => {
    expect(() => commentsOf('export interface HaConfig {\n  readonly failsafe: boolean;\n}')).toThrow('HaConfig.failsafe has no /** comment');
  });

  it('refuses an unknown origin', () => {
    expect(() => commentsOf('export interface HaConfig {\n  /** x @origin spring */\n  readonly a: boolean;\n}')).toThrow('@origin must be a4c or later-a4c');
  });
});
