// A grant that breaks the rules in force, said in words for GET /access and the console.
import type { OverRule } from '../core/over-rule.ts';
import { durationInWords, spanInWords } from './time-words.ts';

export function overRuleInWords(flag: OverRule): string {
  switch (flag.rule) {
    case 'externalAdminCap':
    case 'organisationAdminCaps': {
      const whose = flag.organisation ? `${flag.organisation}'s external admins` : 'external admins';
      return (
        `granted ${ordinal(flag.position)} of ${flag.holders} ${whose}, over the cap of ${flag.cap} now in force: ` +
        'it keeps running, and no new one is granted until they are under the cap'
      );
    }
    case 'maxDuration':
      return (
        `granted for ${spanInWords(flag.lastsMs)}, longer than the ${durationInWords(flag.allowed)} the rules now ` +
        `allow for ${flag.scope === 'admin' ? 'admin access' : 'a dataset'}: it keeps running until it ends`
      );
  }
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
