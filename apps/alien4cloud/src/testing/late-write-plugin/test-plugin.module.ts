import { Module } from '@nestjs/common';
import { PluginsModule } from '../../core/plugins/plugins.module.js';
import { LateWriteController } from './late-write.controller.js';
import { LateWriteService } from './late-write.service.js';

/** The fencing test plugin (LateWriteService): inert unless its descriptor is installed. */
@Module({ imports: [PluginsModule], controllers: [LateWriteController], providers: [LateWriteService] })
export class TestPluginModule {}
