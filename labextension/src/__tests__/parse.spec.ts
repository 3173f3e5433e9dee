import {
  cellMagic,
  parseArgs,
  parseHypothesisCell,
  parseMeasureLines,
  parseMetricSpec,
  parseNumber,
  parseProblemCell,
  parseSynthCell,
  plantedEffect
} from '../parse';
import { H1_SOURCE, PROBLEM_SOURCE } from './fixtures';

describe('parseNumber', () => {
  it.each([
    ['0.18', 0.18],
    ['30%', 0.3],
    ['1e-3', 0.001],
    ['20,000', 20000],
    ['-2', -2],
    ['.5', 0.5]
  ])('reads %s', (text, value) => {
    expect(parseNumber(text)).toBeCloseTo(value, 12);
  });

  it.each(['', 'abc', '0.1.2', '30 %x', null, undefined])('rejects %p', text => {
    expect(parseNumber(text as string)).toBeNull();
  });
});

describe('parseArgs', () => {
  it('reads options, = options, flags and quoted words', () => {
    const args = parseArgs('H1 --metric invite_rate --target=0.3 --all --problem "on boarding"');
    expect(args.positional).toEqual(['H1']);
    expect(args.options.get('metric')).toBe('invite_rate');
    expect(args.options.get('target')).toBe('0.3');
    expect(args.options.get('all')).toBe(true);
    expect(args.options.get('problem')).toBe('on boarding');
  });
});

describe('cellMagic', () => {
  it('skips leading blank lines and needs %% at the start', () => {
    expect(cellMagic('\n\n%%problem x\nbody')?.magic).toBe('problem');
    expect(cellMagic('x = 1\n%%problem x')).toBeNull();
    expect(cellMagic('%problem x')).toBeNull();
  });
});

describe('parseMetricSpec', () => {
  it('reads name, description and baseline', () => {
    expect(parseMetricSpec('invite_rate = share inviting within 7 days (baseline 0.18)')).toEqual({
      name: 'invite_rate',
      description: 'share inviting within 7 days',
      baseline: 0.18
    });
  });

  it('accepts a percent baseline and a missing description', () => {
    expect(parseMetricSpec('paid_rate (baseline 6%)')).toEqual({ name: 'paid_rate', description: '', baseline: 0.06 });
    expect(parseMetricSpec('nps = net promoter score')?.baseline).toBeNull();
  });
});

describe('parseProblemCell', () => {
  it('reads the README example', () => {
    const p = parseProblemCell(PROBLEM_SOURCE)!;
    expect(p.name).toBe('onboarding');
    expect(p.statement).toBe(
      "Trial admins don't reach a first shared dashboard, so most trials never invite a teammate and few convert."
    );
    expect(p.segment).toBe('trial admins at companies with 10-200 employees');
    expect(p.metrics.map(m => [m.name, m.baseline])).toEqual([
      ['invite_rate', 0.18],
      ['paid_rate', 0.06]
    ]);
    expect(p.constraints).toEqual(['no pricing changes this quarter']);
    expect(p.outcome).toBeNull();
  });

  it('keeps paragraphs, continues wrapped values and ignores unknown keys in the statement', () => {
    const p = parseProblemCell(
      '%%problem p\nNote: first paragraph\n\nsecond one\noutcome: admins\n  share a dashboard\nmetric: m = x'
    )!;
    expect(p.statement).toBe('Note: first paragraph\n\nsecond one');
    expect(p.outcome).toBe('admins share a dashboard');
    expect(p.metrics[0]).toEqual({ name: 'm', description: 'x', baseline: null });
  });

  it('is null for other cells and for a problem without a name', () => {
    expect(parseProblemCell('%%problem\nbody')).toBeNull();
    expect(parseProblemCell(H1_SOURCE)).toBeNull();
  });
});

describe('parseHypothesisCell', () => {
  it('reads options and the statement', () => {
    const h = parseHypothesisCell(H1_SOURCE)!;
    expect(h).toMatchObject({ id: 'H1', metric: 'invite_rate', target: 0.3, risk: 'value', problem: null, baseline: null });
    expect(h.statement.startsWith('We believe a guided onboarding checklist')).toBe(true);
  });

  it('reads "from X to Y" from the prose and drops an unknown risk', () => {
    const h = parseHypothesisCell('%%hypothesis H2 --risk money\nChecklists move invites from 18% to 30%.')!;
    expect(h.textBaseline).toBeCloseTo(0.18);
    expect(h.textTarget).toBeCloseTo(0.3);
    expect(h.risk).toBeNull();
  });
});

describe('synth and measure', () => {
  it('reads a synth header', () => {
    expect(parseSynthCell('%%synth trials --rows 20000 --seed 7 --for H1\nvariant: choice(a=1)')).toEqual({
      name: 'trials',
      rows: 20000,
      seed: 7,
      forId: 'H1',
      effect: null
    });
  });

  it('finds the planted effect and its control', () => {
    const spec = ['variant: choice(checklist=0.5, baseline=0.5)', 'plan: choice(free=0.7, pro=0.3)', 'invited: bernoulli(0.18)', 'invited[variant=checklist]: bernoulli(0.27)', 'seats[plan=pro]: poisson(5)'];
    expect(plantedEffect(spec)).toEqual({ metric: 'invited', group: 'variant', treatment: 'checklist', control: 'baseline' });
    expect(plantedEffect(['v: choice(control=1, b=1, c=1)', 'x[v=c]: normal(1, 2)'])?.control).toBe('control');
    expect(plantedEffect(['x[v=c]: normal(1, 2)'])?.control).toBeNull();
  });

  it('finds %measure lines anywhere in a plain code cell', () => {
    const found = parseMeasureLines('df = trials\n%measure H1 --data trials --metric invited\n  %measure H2 --observed 0.2 --n 10');
    expect(found.map(m => m.id)).toEqual(['H1', 'H2']);
    expect(found[0].options.get('data')).toBe('trials');
    expect(parseMeasureLines('%%hypothesis H3\n%measure H3')).toEqual([]);
  });
});
