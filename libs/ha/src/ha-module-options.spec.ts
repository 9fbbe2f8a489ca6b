import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { validateHaConfig } from './config/validate-ha-config.js';
import type { HaModuleOptions } from './ha-module-options.js';

@Module({})
class Graph {}

describe('HaModuleOptions.ha: typed keys', () => {
  it('a misspelt key fails to compile (tsc in `npm run lint`); given untyped, it is a startup problem naming the closest key', () => {
    const options: HaModuleOptions = {
      // @ts-expect-error consulAgentPrt is not an ha key: the compiler names the typo
      ha: { ha_enabled: true, instanceIp: '10.0.0.5', consulAgentPrt: 8500 },
      application: Graph,
      serverPort: 3000,
      directory: '.',
    };
    expect(validateHaConfig(options.ha, 'ha').problems).toEqual(['ha.consulAgentPrt: unknown key (did you mean consulAgentPort?)']);
  });

  it('a value of the wrong type fails to compile too; every correct key compiles and validates', () => {
    // @ts-expect-error consulAgentPort is a number
    const wrongType: HaModuleOptions['ha'] = { consulAgentPort: '8500x' };
    expect(validateHaConfig(wrongType, 'ha').problems).toEqual([expect.stringMatching(/^ha\.consulAgentPort: /)]);
    const right: HaModuleOptions['ha'] = { ha_enabled: true, instanceIp: '10.0.0.5', consulAgentPort: 8500, serverProtocol: 'https', leaderLeaseInSecond: 2.5 };
    expect(validateHaConfig(right, 'ha')).toMatchObject({ problems: [], config: { consulAgentPort: 8500, serverProtocol: 'https', leaderLeaseInSecond: 2.5 } });
  });
});
