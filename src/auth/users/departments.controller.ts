import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { notFound } from '../../common/domain-error';
import { PeopleService } from '../../people/people.service';
import { Roles } from '../roles.decorator';
import { Department } from './department.entity';
import { DepartmentDto } from './dto/department.dto';

/** Departments (the "department" step of a chain rings its members): listed for everyone, kept by the admin. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/departments')
export class DepartmentsController {
  constructor(
    @InjectRepository(Department) private readonly departments: Repository<Department>,
    private readonly people: PeopleService,
  ) {}

  @Get()
  list(): Promise<Department[]> {
    return this.departments.find({ order: { name: 'ASC' } });
  }

  /** A second department of the same name is a 409 naming the field. */
  @Roles('admin')
  @Post()
  async create(@Body() body: DepartmentDto): Promise<Department> {
    const saved = await this.departments.save(this.departments.create({ name: body.name.trim() }));
    await this.people.reload();
    return saved;
  }

  @Roles('admin')
  @Patch(':id')
  async rename(@Param('id', ParseUUIDPipe) id: string, @Body() body: DepartmentDto): Promise<Department> {
    const department = await this.departments.findOneBy({ id });
    if (!department) throw notFound('department', id);
    department.name = body.name.trim();
    const saved = await this.departments.save(department);
    await this.people.reload();
    return saved;
  }
}
