// CDK entry point (cdk.json "app"): builds the Keyholder stack from context and writes the cloud assembly.
import { buildKeyholderApp } from '../lib/keyholder-app.ts';

buildKeyholderApp().app.synth();
