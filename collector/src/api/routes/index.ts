// Every group of API routes, registered in this order. Adding routes means adding a file and a line here.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../context.js'
import { siteReviewRoutes } from '../../reports/review-route.js'
import { apiTokenRoutes } from './api-tokens.js'
import { assetRoutes } from './assets.js'
import { auditRoutes } from './audit.js'
import { authRoutes } from './auth.js'
import { consoleRoutes } from './console.js'
import { contractRoutes } from './contracts.js'
import { customerRoutes } from './customers.js'
import { deviceConfigRoutes } from './device-config.js'
import { deviceRoutes } from './devices.js'
import { enrollmentRoutes } from './enrollment.js'
import { eventRoutes } from './events.js'
import { healthRoutes } from './health.js'
import { inspectionRoutes } from './inspections.js'
import { maintenanceWindowRoutes } from './maintenance-windows.js'
import { metricRoutes } from './metrics.js'
import { notificationRoutes } from './notifications.js'
import { reportRoutes } from './reports.js'
import { ruleRoutes } from './rules.js'
import { siteRoutes } from './sites.js'
import { ticketRoutes } from './tickets.js'
import { userRoutes } from './users.js'

export const ROUTES: readonly FastifyPluginAsyncTypebox<{ ctx: ApiContext }>[] = [
  healthRoutes,
  authRoutes,
  deviceRoutes,
  metricRoutes,
  deviceConfigRoutes,
  ticketRoutes,
  customerRoutes,
  siteRoutes,
  contractRoutes,
  userRoutes,
  apiTokenRoutes,
  auditRoutes,
  assetRoutes,
  ruleRoutes,
  maintenanceWindowRoutes,
  notificationRoutes,
  siteReviewRoutes,
  enrollmentRoutes,
  reportRoutes,
  inspectionRoutes,
  eventRoutes,
  // Last: its catch-all GET answers the console's pages for any path no route above claims.
  consoleRoutes,
]
