import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Put, Query } from '@nestjs/common';
import { LateWriteService, type Note } from './late-write.service.js';

const TOKEN = /^[a-z0-9-]{1,64}$/;
const ID = /^[a-z0-9-]{1,64}$/;

/** `/rest/v1/test-plugin/notes/:id`: 404 unless the test plugin is installed (see LateWriteService). */
@Controller('rest/v1/test-plugin/notes')
export class LateWriteController {
  constructor(private readonly notes: LateWriteService) {}

  @Get(':id')
  async get(@Param('id') id: string): Promise<Note> {
    this.checkEnabled(id);
    const note = await this.notes.get(id);
    if (!note) throw new NotFoundException({ reason: `no note with id "${id}"` });
    return note;
  }

  /** Writes the note; with `?pauseUntil=<token>`, as a late write (check, pause, write). */
  @Put(':id')
  async put(@Param('id') id: string, @Body() body: unknown, @Query('pauseUntil') token?: string): Promise<Note> {
    this.checkEnabled(id);
    const text = (body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw new BadRequestException({ reason: 'expected {"text": "..."}' });
    if (token === undefined) return this.notes.write(id, text);
    if (!TOKEN.test(token)) throw new BadRequestException({ reason: 'pauseUntil must be 1-64 of a-z, 0-9, -' });
    return this.notes.lateWrite(id, text, token);
  }

  private checkEnabled(id: string): void {
    if (!this.notes.enabled) throw new NotFoundException({ reason: 'the test plugin is not installed' });
    if (!ID.test(id)) throw new BadRequestException({ reason: 'note ids are 1-64 of a-z, 0-9, -' });
  }
}
