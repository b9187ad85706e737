// `npm run audit:prod`: see dependency-audit.ts beside this file.
import { runProductionAudit } from './dependency-audit.ts';

process.exit(runProductionAudit());
