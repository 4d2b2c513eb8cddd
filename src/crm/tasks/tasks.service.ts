import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository, type FindOptionsWhere } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { notFound } from '../../common/domain-error';
import { assertAllowed } from '../../common/verdict';
import type { CreateTaskDto, ListTasksQuery, UpdateTaskDto } from './dto/task.dto';
import { checkTaskAccess, checkTaskCreate, checkTaskDelete, checkTaskEdit, checkTaskListFilter, taskScope } from './task-rules';
import { Task } from './task.entity';

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(@InjectRepository(Task) private readonly tasks: Repository<Task>) {}

  /** Managers get their own and the unassigned tasks; supervisors and QA everyone's. */
  list(query: ListTasksQuery, user: AuthUser, limit = 200, offset = 0): Promise<Task[]> {
    assertAllowed(checkTaskListFilter(query.assigneeId, user));
    const filter: FindOptionsWhere<Task> = {
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.open === true ? { doneAt: IsNull() } : query.open === false ? { doneAt: Not(IsNull()) } : {}),
    };
    const where: FindOptionsWhere<Task>[] = query.assigneeId
      ? [{ ...filter, assigneeId: query.assigneeId }]
      : taskScope(user) === 'all'
        ? [filter]
        : [{ ...filter, assigneeId: user.id }, { ...filter, assigneeId: IsNull() }];
    return this.tasks.find({
      where,
      order: { dueAt: { direction: 'ASC', nulls: 'LAST' }, createdAt: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  async get(id: string, user: AuthUser): Promise<Task> {
    const task = await this.find(id);
    assertAllowed(checkTaskAccess(task, user));
    return task;
  }

  async create(input: CreateTaskDto, user: AuthUser): Promise<Task> {
    assertAllowed(checkTaskCreate(input, user));
    const { dueAt, assigneeId, ...fields } = input;
    const saved = await this.tasks.save(
      this.tasks.create({ ...fields, assigneeId: assigneeId === undefined ? user.id : assigneeId, dueAt: dueAt ? new Date(dueAt) : null }),
    );
    return this.find(saved.id);
  }

  async update(id: string, input: UpdateTaskDto, user: AuthUser): Promise<Task> {
    const task = await this.find(id);
    assertAllowed(checkTaskEdit(task, input, user));
    const { done, dueAt, ...fields } = input;
    const changes = {
      ...fields,
      ...(dueAt !== undefined ? { dueAt: dueAt ? new Date(dueAt) : null } : {}),
      ...(done === true && !task.doneAt ? { doneAt: new Date() } : done === false && task.doneAt ? { doneAt: null } : {}),
    };
    if (Object.keys(changes).length > 0) await this.tasks.update(id, changes);
    if (task.kind === 'callback' && done !== undefined) this.logger.log(`callback task ${id} ${done ? 'closed by hand' : 'reopened'} by user ${user.id}`);
    return this.find(id);
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    const task = await this.find(id);
    assertAllowed(checkTaskDelete(task, user));
    await this.tasks.delete(id);
    this.logger.log(`task ${id} (${task.kind}) deleted by user ${user.id}`);
  }

  private async find(id: string): Promise<Task> {
    const task = await this.tasks.findOne({ where: { id } });
    if (!task) throw notFound('task', id);
    return task;
  }
}
