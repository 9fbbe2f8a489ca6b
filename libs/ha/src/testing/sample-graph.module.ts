import { Body, Controller, Get, Inject, Injectable, Module, Post, type OnModuleDestroy } from '@nestjs/common';
import { HA_CONTEXT, type HaContext } from '../ha-context.js';

/** Counts ticks of a background timer per term, so tests see when the full graph's work runs. */
export const sampleGraphProbe = { ticks: 0, closed: 0, contexts: [] as HaContext[] };

@Injectable()
class TickingService implements OnModuleDestroy {
  private readonly timer: NodeJS.Timeout;
  constructor(@Inject(HA_CONTEXT) readonly context: HaContext) {
    sampleGraphProbe.contexts.push(context);
    this.timer = setInterval(() => {
      if (!context.signal.aborted) sampleGraphProbe.ticks += 1;
    }, 20);
  }
  onModuleDestroy(): void {
    clearInterval(this.timer);
    sampleGraphProbe.closed += 1;
  }
}

@Controller('rest/v1/sample')
class SampleController {
  constructor(private readonly ticking: TickingService) {}
  @Get()
  get() {
    return { term: this.ticking.context.term, instanceId: this.ticking.context.instanceId };
  }
  @Post()
  echo(@Body() body: unknown) {
    return { echoed: body };
  }
}

/** A tiny full graph for the plugin's own tests: a controller, a timer, the injected HaContext. */
@Module({ controllers: [SampleController], providers: [TickingService] })
export class SampleGraphModule {}
