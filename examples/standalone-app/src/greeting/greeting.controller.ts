import { Controller, Get, Inject } from '@nestjs/common';
import { HA_CONTEXT, type HaContext } from '@a4c/ha';

/** The application's own API: served only by the acting leader (the others forward to it or answer 503). */
@Controller('hello')
export class GreetingController {
  constructor(@Inject(HA_CONTEXT) private readonly ha: HaContext) {}

  @Get()
  hello(): { greeting: string; servedBy: string } {
    return { greeting: 'hello from the leader', servedBy: this.ha.instanceId };
  }
}
