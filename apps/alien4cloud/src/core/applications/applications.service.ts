import { ConflictException, Inject, Injectable } from '@nestjs/common';
import { DOCUMENT_STORE, type DocumentStore } from '../storage/document-store.js';
import { DuplicateError } from '../storage/store.error.js';
import { APPLICATIONS_COLLECTION, type Application } from './application.js';
import { applicationIdOf, isApplicationId } from './application-name.js';
import type { CreateApplicationRequest } from './create-application.request.js';

@Injectable()
export class ApplicationsService {
  constructor(@Inject(DOCUMENT_STORE) private readonly store: DocumentStore) {}

  /** Rejects with ConflictException (409) when an application with the same id exists. */
  async create(request: CreateApplicationRequest, now = new Date()): Promise<Application> {
    const application: Application = {
      id: applicationIdOf(request.name),
      name: request.name,
      ...(request.description !== undefined ? { description: request.description } : {}),
      creationDate: now.toISOString(),
    };
    try {
      await this.store.create(APPLICATIONS_COLLECTION, application);
    } catch (error) {
      if (!(error instanceof DuplicateError)) throw error;
      const existing = await this.store.get<Application>(APPLICATIONS_COLLECTION, application.id);
      const named = existing ? ` named ${JSON.stringify(existing.name)}` : '';
      throw new ConflictException(`an application${named} already exists with id ${JSON.stringify(application.id)}`);
    }
    return application;
  }

  async get(id: string): Promise<Application | undefined> {
    return isApplicationId(id) ? this.store.get<Application>(APPLICATIONS_COLLECTION, id) : undefined;
  }

  async list(): Promise<Application[]> {
    return this.store.list<Application>(APPLICATIONS_COLLECTION);
  }

  async delete(id: string): Promise<boolean> {
    return isApplicationId(id) ? this.store.delete(APPLICATIONS_COLLECTION, id) : false;
  }
}
