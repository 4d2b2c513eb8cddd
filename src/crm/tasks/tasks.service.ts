import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { isSupervisor } from '../../auth/supervision';
import { DomainError, notFound } from '../../common/domain-error';
import type { CreateTaskDto, ListTasksQuery, UpdateTaskDto } from './dto/task.dto';
import { Task } from './task.entity';

@Injectable()
export class TasksService {
  constructor(@InjectRepository(Task) private readonly tasks: Repository<Task>) {}

  list(query: ListTasksQuery, limit = 200, offset = 0): Promise<Task[]> {
    return this.tasks.find({
      where: {
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.assigneeId ? { assigneeId: query.assigneeId } : {}),
        ...(query.open === true ? { doneAt: IsNull() } : query.open === false ? { doneAt: Not(IsNull()) } : {}),
      },
      order: { dueAt: { direction: 'ASC', nulls: 'LAST' }, createdAt: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  async get(id: string): Promise<Task> {
    const task = await this.tasks.findOne({ where: { id } });
    if (!task) throw notFound('task', id);
    return task;
  }

  async create(input: CreateTaskDto, user: AuthUser): Promise<Task> {
    const { dueAt, assigneeId, ...fields } = input;
    const saved = await this.tasks.save(
      this.tasks.create({ ...fields, assigneeId: assigneeId === undefined ? user.id : assigneeId, dueAt: dueAt ? new Date(dueAt) : null }),
    );
    return this.get(saved.id);
  }

  async update(id: string, input: UpdateTaskDto, user: AuthUser): Promise<Task> {
    const task = await this.get(id);
    assertMayChangeTask(task, user);
    if (input.assigneeId !== undefined && input.assigneeId !== task.assigneeId && input.assigneeId !== user.id && !isSupervisor(user)) {
      throw new DomainError('forbidden', 'only a supervisor may give a task to someone else', { field: 'assigneeId' });
    }
    const { done, dueAt, ...fields } = input;
    await this.tasks.update(id, {
      ...fields,
      ...(dueAt !== undefined ? { dueAt: dueAt ? new Date(dueAt) : null } : {}),
      ...(done === true && !task.doneAt ? { doneAt: new Date() } : done === false ? { doneAt: null } : {}),
    });
    return this.get(id);
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    const task = await this.get(id);
    assertMayChangeTask(task, user);
    // Callback tasks are the evidence behind the callback-speed figures.
    if (task.kind === 'callback' && !isSupervisor(user)) throw new DomainError('forbidden', 'callback tasks are closed, not deleted');
    await this.tasks.delete(id);
  }
}

/** Managers change their own tasks and the exchange's (no assignee); supervisors and QA any. */
function assertMayChangeTask(task: Task, user: AuthUser): void {
  if (isSupervisor(user) || user.role === 'qa' || task.assigneeId === null || task.assigneeId === user.id) return;
  throw new DomainError('forbidden', 'this task belongs to someone else');
}
