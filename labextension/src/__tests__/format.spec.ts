import { fmtCI, fmtMove, fmtNum, fmtP, fmtPercent, fmtRelative, fmtSigned, fmtTime } from '../format';

describe('format', () => {
  it.each([
    [0.25272479564032696, '0.253'],
    [0.06277701496147578, '0.063'],
    [0.0067825641218001494, '0.0068'],
    [12.3456, '12.35'],
    [6000, '6,000'],
    [1234.5, '1,235'],
    [0, '0'],
    [null, '—'],
    [NaN, '—'],
    ['0.2', '—']
  ])('fmtNum(%p) is %p', (x, text) => {
    expect(fmtNum(x)).toBe(text);
  });

  it('signs differences and ratios with a true minus', () => {
    expect(fmtSigned(0.09)).toBe('+0.09');
    expect(fmtSigned(-0.005)).toBe('−0.005');
    expect(fmtRelative(0.5)).toBe('+50%');
    expect(fmtRelative(-0.0833)).toBe('−8.33%');
    expect(fmtCI(-0.0168, 0.0068)).toBe('[−0.017, +0.0068]');
    expect(fmtCI(null, 1)).toBe('—');
  });

  it('never rounds a probability to certainty', () => {
    expect(fmtPercent(0.9999999)).toBe('> 99.9%');
    expect(fmtPercent(1)).toBe('100%');
    expect(fmtPercent(0.2027)).toBe('20.3%');
    expect(fmtPercent(0.00001)).toBe('< 0.1%');
    expect(fmtP(4.7e-9)).toBe('< 0.001');
    expect(fmtP(0.0046)).toBe('0.005');
    expect(fmtP(0.4055)).toBe('0.41');
  });

  it('shows moves and times as written', () => {
    expect(fmtMove(0.18, 0.3)).toBe('0.18 → 0.3');
    expect(fmtMove(null, 0.3)).toBe('→ 0.3');
    expect(fmtMove(0.18, null)).toBe('0.18 → ?');
    expect(fmtTime('2026-03-05T12:34:56.789Z')).toBe('2026-03-05 12:34');
    expect(fmtTime('yesterday')).toBe('yesterday');
  });
});
