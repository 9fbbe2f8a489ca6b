import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { HaModule } from '@a4c/ha';
import { GreetingModule } from './greeting/greeting.module.js';

/**
 * The parent context: only HaModule. It serves /rest/admin/health, /rest/admin/ha[...] and
 * /rest/admin/metrics on every instance, and boots GreetingModule on the elected leader only.
 * Everything comes from the environment through @nestjs/config (see README.md).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    HaModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ha: {
          ha_enabled: config.get('HA_ENABLED', 'false') === 'true',
          instanceIp: config.get('INSTANCE_IP', '127.0.0.1'),
          consulAgentIp: config.get('CONSUL_HOST', '127.0.0.1'),
          consulAgentPort: Number(config.get('CONSUL_PORT', '8500')),
          serviceName: 'greeter',
          leaderKey: 'service/greeter/leader',
          // small timings so a failover takes seconds (the defaults are A4C's: a 5 s check period)
          healthCheckPeriodInSecond: 1,
          consulSessionTTLInSecond: 10,
          // a 10 s TTL must fit the renew deadline, the longest Consul call, the drain and the close
          drainTimeoutInMillis: 1000,
          closeTimeoutInMillis: 2000,
          lockAcquisitionDelayInSecond: 1,
        },
        application: GreetingModule,
        serverPort: Number(config.get('PORT', '3000')),
        directory: config.get('DATA_DIR', '.'),
      }),
    }),
  ],
})
export class AppModule {}
