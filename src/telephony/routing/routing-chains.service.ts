import { existsSync, readFileSync } from 'node:fs';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config';
import { DEFAULT_ROUTING_CONFIG, validateRoutingConfig, type RoutingConfig } from './chain-config';
import { RoutingSetting } from './route-decision.entity';

export type ChainsSource = 'database' | 'file' | 'default';

const KEY = 'chains';
const REFRESH_MS = 30_000;

/**
 * The routing configuration in force: chains saved through the API (database, shared by every
 * instance, re-read every 30 s), else ROUTING_CONFIG_FILE (`config/routing.json`), else the
 * default chain. Kept in memory; the route hot path never waits for it.
 */
@Injectable()
export class RoutingChainsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RoutingChainsService.name);
  private current: RoutingConfig = DEFAULT_ROUTING_CONFIG;
  private currentSource: ChainsSource = 'default';
  private fromFile: RoutingConfig | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  get routing(): RoutingConfig {
    return this.current;
  }

  get source(): ChainsSource {
    return this.currentSource;
  }

  async onModuleInit(): Promise<void> {
    this.fromFile = this.readFile();
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Validates and saves a new configuration for every instance; 400 names each bad path. */
  async save(raw: unknown, userId: string): Promise<RoutingConfig> {
    const result = validateRoutingConfig(raw);
    if (!result.ok) {
      const field = result.problems[0]?.split(':')[0] ?? 'chains';
      throw new DomainError('invalid', `invalid routing configuration: ${result.problems.join('; ')}`, { field, problems: result.problems });
    }
    await this.dataSource
      .getRepository(RoutingSetting)
      .upsert({ key: KEY, value: result.config, updatedBy: userId, updatedAt: new Date() }, ['key']);
    this.use(result.config, 'database');
    this.logger.log(`routing configuration saved by user ${userId}: ${Object.keys(result.config.chains).length} chain(s)`);
    return result.config;
  }

  /** Re-reads the saved configuration (a broken row is logged and ignored). */
  async refresh(): Promise<void> {
    try {
      const row = await this.dataSource.getRepository(RoutingSetting).findOneBy({ key: KEY });
      if (row) {
        const result = validateRoutingConfig(row.value);
        if (result.ok) return this.use(result.config, 'database');
        this.logger.error(`saved routing configuration is invalid, ignored: ${result.problems.join('; ')}`);
      }
      if (this.fromFile) this.use(this.fromFile, 'file');
      else this.use(DEFAULT_ROUTING_CONFIG, 'default');
    } catch (error) {
      this.logger.warn(`routing configuration not refreshed (${(error as Error).message}); keeping the one in force`);
    }
  }

  private use(config: RoutingConfig, source: ChainsSource): void {
    this.current = config;
    this.currentSource = source;
  }

  /** Fails start-up on a broken file, naming the problems (like the rest of the configuration). */
  private readFile(): RoutingConfig | null {
    const path = this.config.ROUTING_CONFIG_FILE;
    if (!existsSync(path)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
    }
    const result = validateRoutingConfig(parsed);
    if (!result.ok) throw new Error(`${path}: invalid routing configuration:\n  ${result.problems.join('\n  ')}`);
    this.logger.log(`routing configuration read from ${path}`);
    return result.config;
  }
}
