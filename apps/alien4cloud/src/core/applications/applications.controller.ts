import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Application } from './application.js';
import { ApplicationsService } from './applications.service.js';
import { parseCreateApplicationRequest } from './create-application.request.js';

@Controller('rest/v1/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<Application> {
    const parsed = parseCreateApplicationRequest(body);
    if ('reason' in parsed) throw new BadRequestException(parsed.reason);
    const application = await this.applications.create(parsed.request);
    res.location(`/rest/v1/applications/${encodeURIComponent(application.id)}`);
    return application;
  }

  @Get()
  list(): Promise<Application[]> {
    return this.applications.list();
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<Application> {
    const application = await this.applications.get(id);
    if (!application) throw new NotFoundException(`no application with id ${JSON.stringify(id)}`);
    return application;
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    if (!(await this.applications.delete(id))) throw new NotFoundException(`no application with id ${JSON.stringify(id)}`);
  }
}
