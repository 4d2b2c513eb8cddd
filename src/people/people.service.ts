import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { bool, date, nullable, readRows, text, textArray, type Column } from '../common/sql-rows';
import { peopleDirectory, peopleFromRows, resolveExtension, type PeopleDirectory, type PersonRow } from './people-directory';
import { isRole, type Person, type Role } from './person';

/**
 * The one loader of people: every user with the extensions `extension_owners` gives them (the one
 * rule), in one query. Routing embeds the same text in its prepared route statement.
 */
export const PEOPLE_SQL = `
SELECT u.id, u.name, u.role, d.name AS department, u.extensions, u.devices, u.active, u.dnd, u.created_at,
       coalesce(o.owned, '{}') AS owned
  FROM users u
  LEFT JOIN departments d ON d.id = u.department_id
  LEFT JOIN (SELECT eo.user_id, array_agg(eo.extension) AS owned FROM extension_owners eo GROUP BY eo.user_id) o ON o.user_id = u.id
 ORDER BY u.created_at, u.id`;

const role: Column<Role> = (value) => {
  if (isRole(value)) return value;
  throw new Error(`expected a role, got ${JSON.stringify(value)}`);
};

const PERSON_ROW = {
  id: text,
  name: text,
  role,
  department: nullable(text),
  extensions: textArray,
  devices: textArray,
  active: bool,
  dnd: bool,
  created_at: date,
  owned: textArray,
};

/** A person as the loader reads them, with the DND flag routing needs. */
export type LoadedPerson = Person & { dnd: boolean };

/** The loader's rows (from PEOPLE_SQL, or the same columns as JSON) as people. */
export function readPeople(what: string, result: unknown): LoadedPerson[] {
  const rows = readRows(what, result, PERSON_ROW).map(
    ({ created_at, ...row }): PersonRow & { dnd: boolean } => ({ ...row, createdAt: created_at }),
  );
  return peopleFromRows(rows);
}

/** Anything that runs SQL: a DataSource, an EntityManager, a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Loads the people directory now (CLIs and the tracker's reload call this; the service caches it). */
export async function loadPeople(db: Queryable): Promise<PeopleDirectory<LoadedPerson>> {
  return peopleDirectory(readPeople('people', await db.query(PEOPLE_SQL)));
}

const RELOAD_MS = 30_000;

/**
 * The people directory, cached: loaded at start, every 30 s (another instance may have saved a
 * user) and right after a user is saved here (UsersService calls `reload`). Readers that must see
 * a save of this very moment inside their own transaction read `extension_owners` instead.
 */
@Injectable()
export class PeopleService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PeopleService.name);
  private current: PeopleDirectory<LoadedPerson> = peopleDirectory([]);
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(directory: PeopleDirectory<LoadedPerson>) => void>();
  private loading: Promise<boolean> | null = null;
  private queued: Promise<boolean> | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload(), RELOAD_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  get directory(): PeopleDirectory<LoadedPerson> {
    return this.current;
  }

  /** The user id of the person extension `extension` reaches, or null. */
  userIdOf(extension: string | null | undefined): string | null {
    return resolveExtension(this.current, extension)?.id ?? null;
  }

  /** Called with every directory loaded from now on; returns the unsubscribe. */
  onReload(listener: (directory: PeopleDirectory<LoadedPerson>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Loads the directory again (false when the database refused; the previous one stays). A call
   * while a load is running waits for one more load, so a save is never answered by a load that
   * started before it.
   */
  reload(): Promise<boolean> {
    if (this.loading) {
      this.queued ??= this.loading.then(() => {
        this.queued = null;
        return this.reload();
      });
      return this.queued;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<boolean> {
    try {
      this.current = await loadPeople(this.dataSource);
    } catch (error) {
      this.logger.error(`people not loaded (keeping ${this.current.people.length}): ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch (error) {
        this.logger.error(`a listener of the people directory failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return true;
  }
}
