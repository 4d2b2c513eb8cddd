import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import type { AuthUser } from '../../auth/auth-user';
import { notFound } from '../../common/domain-error';
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

  async update(id: string, input: UpdateTaskDto): Promise<Task> {
    const task = await this.get(id);
    const { done, dueAt, ...fields } = input;
    await this.tasks.update(id, {
      ...fields,
      ...(dueAt !== undefined ? { dueAt: dueAt ? new Date(dueAt) : null } : {}),
      ...(done === true && !task.doneAt ? { doneAt: new Date() } : done === false ? { doneAt: null } : {}),
    });
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const result = await this.tasks.delete(id);
    if (!result.affected) throw notFound('task', id);
  }
}
