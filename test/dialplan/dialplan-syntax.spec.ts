import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bracketProblem, checkDialplan, parseDialplan } from './mini-asterisk';
import { AMI_RECORDINGS_DIR } from '../../src/common/project-paths';

const FILE = join(__dirname, '../../dialplans/switchboard.conf');
const LAB = join(AMI_RECORDINGS_DIR, 'lab-config/extensions.conf');

describe('dialplans/switchboard.conf syntax', () => {
  const text = readFileSync(FILE, 'utf8');
  const plan = parseDialplan(text);

  it('parses as extensions.conf with no problems: known apps and functions, balanced brackets, jump targets, While pairs', () => {
    expect(checkDialplan(plan)).toEqual([]);
  });

  it('has the contexts the README and the service name', () => {
    expect([...plan.contexts.keys()].sort()).toEqual(
      ['switchboard-click-to-call', 'switchboard-fallback', 'switchboard-final', 'switchboard-inbound', 'switchboard-settings'].sort(),
    );
    expect([...(plan.contexts.get('switchboard-final')?.keys() ?? [])].sort()).toEqual(['after_hours', 'hangup', 'voicemail']);
  });

  it('asks the service with 1–2 s curl timeouts and sets the step marker before every Dial', () => {
    const inbound = plan.contexts.get('switchboard-inbound')?.get('_X.') ?? [];
    expect(inbound.map((p) => `${p.app}(${p.data})`)).toEqual(
      expect.arrayContaining(['Set(CURLOPT(conntimeout)=1)', 'Set(CURLOPT(httptimeout)=2)']),
    );
    for (const extensions of plan.contexts.values()) {
      for (const list of extensions.values()) {
        list.forEach((p, i) => {
          if (p.app !== 'Dial' || list[0].context === 'switchboard-click-to-call') return;
          const before = list.slice(0, i).reverse().find((q) => q.app === 'Set' && q.data.startsWith('${SB_STEP_VAR}='));
          expect(before).toBeDefined();
        });
      }
    }
  });

  it('the checker itself catches broken lines (and accepts the lab’s own dialplan)', () => {
    const broken = parseDialplan(
      ['[a]', 'exten => _X.,1,NoOp(${CALLERID(num)', ' same => n,GotoIf($[1 = 1]?nowhere)', ' same => n,While($[1])', ' same => n,Frobnicate(x)', 'junk'].join('\n'),
    );
    const problems = checkDialplan(broken);
    expect(problems.join('\n')).toMatch(/unclosed/);
    expect(problems.join('\n')).toMatch(/no priority or label nowhere/);
    expect(problems.join('\n')).toMatch(/While without EndWhile/);
    expect(problems.join('\n')).toMatch(/unknown application Frobnicate/);
    expect(problems.join('\n')).toMatch(/not a dialplan line: junk/);
    expect(bracketProblem('${CUT(X,|,1)}')).toBeNull();
    expect(bracketProblem('$[${LEN(${X})} = 0]')).toBeNull();
    expect(bracketProblem('${X)}')).not.toBeNull();

    const lab = parseDialplan(readFileSync(LAB, 'utf8').replace(/^\[(general|globals)\][\s\S]*?(?=^\[from-pstn\])/m, ''));
    expect(lab.problems.filter((p) => !/unknown (application|function)/.test(p))).toEqual([]);
  });
});
