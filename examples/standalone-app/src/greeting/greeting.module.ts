import { Module } from '@nestjs/common';
import { GreetingController } from './greeting.controller.js';

/** The full graph: booted by @a4c/ha on the leader only (or at once when HA is off). It never imports HaModule. */
@Module({ controllers: [GreetingController] })
export class GreetingModule {}
