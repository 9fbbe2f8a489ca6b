import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../app-config.token.js';
import { DESCRIPTOR_FILES, parsePluginDescriptor, type PluginDescriptor } from './plugin-descriptor.js';

export interface PluginState {
  /** The directory under `<directories.alien>/plugins/`. */
  readonly directory: string;
  readonly descriptor?: PluginDescriptor;
  readonly enabled: boolean;
  /** Why the plugin could not be loaded; it is listed, disabled, and the graph carries on. */
  readonly error?: string;
}

/**
 * Reads plugin descriptors when the graph starts and enables the valid ones; disables them all when it
 * closes (so under HA, plugins are only enabled on the leader, as in A4C). A bad descriptor is logged
 * and listed with its error: it never stops the graph.
 */
@Injectable()
export class PluginRegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('PluginRegistry');
  private readonly root: string;
  private states: PluginState[] = [];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = join(config.directories.alien, 'plugins');
  }

  list(): readonly PluginState[] {
    return this.states;
  }

  async onModuleInit(): Promise<void> {
    const loaded = await Promise.all((await this.pluginDirectories()).map((dir) => this.load(dir)));
    const seen = new Set<string>();
    this.states = loaded.map((state) => {
      if (!state.descriptor) return state;
      if (seen.has(state.descriptor.id)) return { ...state, enabled: false, error: `duplicate plugin id "${state.descriptor.id}"` };
      seen.add(state.descriptor.id);
      return { ...state, enabled: true };
    });
    for (const state of this.states) {
      if (state.error) this.logger.warn(`plugin in ${state.directory} not loaded: ${state.error}`);
      else this.logger.log(`plugin ${state.descriptor!.id} ${state.descriptor!.version} enabled`);
    }
  }

  onModuleDestroy(): void {
    const enabled = this.states.filter((s) => s.enabled);
    this.states = this.states.map((state) => ({ ...state, enabled: false }));
    if (enabled.length > 0) this.logger.log(`plugins disabled: ${enabled.map((s) => s.descriptor!.id).join(', ')}`);
  }

  private async pluginDirectories(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // no plugins installed
      throw error;
    }
  }

  private async load(directory: string): Promise<PluginState> {
    for (const fileName of DESCRIPTOR_FILES) {
      let text: string;
      try {
        text = await readFile(join(this.root, directory, fileName), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        return { directory, enabled: false, error: `${fileName}: cannot read (${(error as NodeJS.ErrnoException).code})` };
      }
      const parsed = parsePluginDescriptor(fileName, text);
      return 'error' in parsed ? { directory, enabled: false, error: parsed.error } : { directory, descriptor: parsed.descriptor, enabled: false };
    }
    return { directory, enabled: false, error: `no descriptor (${DESCRIPTOR_FILES.join(', ')})` };
  }
}
