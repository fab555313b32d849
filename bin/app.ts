// CDK entry point (cdk.json "app"): builds the Keyholder stack from context, checks it against the cdk-nag packs
// (AWS Solutions, HIPAA Security, NIST 800-53 rev 5: unacknowledged errors fail the synth) and writes the assembly.
import { applyCompliancePacks } from '../lib/compliance.ts';
import { buildKeyholderApp } from '../lib/keyholder-app.ts';

const { app } = buildKeyholderApp();
applyCompliancePacks(app);
app.synth();
