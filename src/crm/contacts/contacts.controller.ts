import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { Roles, SUPERVISORS } from '../../auth/roles.decorator';
import { ListQuery } from '../common-query';
import type { Contact } from './contact.entity';
import { ContactsService } from './contacts.service';
import { CreateContactDto, UpdateContactDto } from './dto/contact.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  list(@Query() query: ListQuery): Promise<Contact[]> {
    return this.contacts.list(query, query.limit, query.offset);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Contact> {
    return this.contacts.get(id);
  }

  @Post()
  create(@Body() body: CreateContactDto, @CurrentUser() user: AuthUser): Promise<Contact> {
    return this.contacts.create(body, user);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateContactDto, @CurrentUser() user: AuthUser): Promise<Contact> {
    return this.contacts.update(id, body, user);
  }

  @Roles(...SUPERVISORS)
  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.contacts.remove(id);
  }
}
