import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { CreateTaskDto, ListTasksQuery, UpdateTaskDto } from './dto/task.dto';
import type { Task } from './task.entity';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(@Query() query: ListTasksQuery, @CurrentUser() user: AuthUser): Promise<Task[]> {
    return this.tasks.list(query, user);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthUser): Promise<Task> {
    return this.tasks.get(id, user);
  }

  @Post()
  create(@Body() body: CreateTaskDto, @CurrentUser() user: AuthUser): Promise<Task> {
    return this.tasks.create(body, user);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateTaskDto, @CurrentUser() user: AuthUser): Promise<Task> {
    return this.tasks.update(id, body, user);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string, @CurrentUser() user: AuthUser): Promise<void> {
    return this.tasks.remove(id, user);
  }
}
