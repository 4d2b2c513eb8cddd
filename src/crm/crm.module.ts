import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompaniesController } from './companies/companies.controller';
import { CompaniesService } from './companies/companies.service';
import { Company } from './companies/company.entity';
import { Contact } from './contacts/contact.entity';
import { ContactsController } from './contacts/contacts.controller';
import { ContactsService } from './contacts/contacts.service';
import { Deal } from './deals/deal.entity';
import { DealsController } from './deals/deals.controller';
import { DealsService } from './deals/deals.service';
import { TelephonyModule } from '../telephony/telephony.module';
import { LeadCaptureService } from './lead-capture/lead-capture.service';
import { LeadExchangeController } from './lead-exchange/lead-exchange.controller';
import { LeadExchangeService } from './lead-exchange/lead-exchange.service';
import { ClientLookupController } from './lookup/client-lookup.controller';
import { ClientLookupService } from './lookup/client-lookup.service';
import { PhoneNumber } from './phones/phone-number.entity';
import { Task } from './tasks/task.entity';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';

@Module({
  imports: [TypeOrmModule.forFeature([Company, Contact, PhoneNumber, Deal, Task]), TelephonyModule],
  controllers: [CompaniesController, ContactsController, DealsController, TasksController, ClientLookupController, LeadExchangeController],
  providers: [CompaniesService, ContactsService, DealsService, TasksService, ClientLookupService, LeadExchangeService, LeadCaptureService],
  exports: [CompaniesService, ContactsService, DealsService, TasksService, ClientLookupService, LeadCaptureService],
})
export class CrmModule {}
