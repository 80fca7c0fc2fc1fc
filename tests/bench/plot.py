#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Draws the benchmark's CSV as an SVG: ns/op against live holders,
log-log, one panel per operation, the library and the seed side by side.

usage: plot.py CSV SVG"""

import csv
import math
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
ops = list(dict.fromkeys(row['op'] for row in rows))
series = defaultdict(list)
for row in rows:
    series[row['op']].append(
        (int(row['n']), float(row['library_ns']), float(row['seed_ns'])))

panel_w, panel_h, margin = 300, 260, 55
width = margin + len(ops) * (panel_w + margin)
height = panel_h + 2 * margin + 20
styles = {
    'library': ('#1f77b4', ''),
    'seed (GList)': ('#d62728', 'stroke-dasharray="6,4"'),
}
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
       f'height="{height}" font-family="sans-serif" font-size="11">',
       f'<rect width="{width}" height="{height}" fill="white"/>']


def decades(lo, hi):
    return range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)


for index, op in enumerate(ops):
    points = series[op]
    x0 = margin + index * (panel_w + margin)
    y0 = margin
    ns_values = [v for _, lib, seed in points for v in (lib, seed)]
    ylo, yhi = decades(min(ns_values), max(ns_values))[0], \
        decades(min(ns_values), max(ns_values))[-1]
    xlo, xhi = 0, math.ceil(math.log10(max(n for n, _, _ in points)))

    def px(n):
        return x0 + (math.log10(n) - xlo) / (xhi - xlo) * panel_w

    def py(ns):
        return y0 + panel_h - (math.log10(ns) - ylo) / (yhi - ylo) * panel_h

    out.append(f'<rect x="{x0}" y="{y0}" width="{panel_w}" '
               f'height="{panel_h}" fill="none" stroke="#888"/>')
    out.append(f'<text x="{x0 + panel_w / 2}" y="{y0 - 10}" '
               f'text-anchor="middle" font-weight="bold">{op}</text>')
    for e in range(xlo, xhi + 1):
        x = px(10 ** e)
        out.append(f'<line x1="{x}" y1="{y0}" x2="{x}" y2="{y0 + panel_h}" '
                   f'stroke="#eee"/>')
        out.append(f'<text x="{x}" y="{y0 + panel_h + 14}" '
                   f'text-anchor="middle">{10 ** e}</text>')
    for e in range(ylo, yhi + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{x0}" y1="{y}" x2="{x0 + panel_w}" y2="{y}" '
                   f'stroke="#eee"/>')
        label = f'{10 ** e:g}' if e < 6 else f'1e{e}'
        out.append(f'<text x="{x0 - 4}" y="{y + 4}" '
                   f'text-anchor="end">{label}</text>')
    out.append(f'<text x="{x0 + panel_w / 2}" y="{y0 + panel_h + 30}" '
               f'text-anchor="middle">live holders (n)</text>')
    out.append(f'<text x="{x0 - 42}" y="{y0 + panel_h / 2}" '
               f'text-anchor="middle" transform="rotate(-90 {x0 - 42} '
               f'{y0 + panel_h / 2})">ns per operation</text>')
    for column, (name, (colour, dash)) in enumerate(styles.items(), 1):
        coords = [(px(p[0]), py(p[column])) for p in points]
        path = ' '.join(f'{x:.1f},{y:.1f}' for x, y in coords)
        out.append(f'<polyline points="{path}" fill="none" '
                   f'stroke="{colour}" stroke-width="2" {dash}/>')
        for x, y in coords:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" '
                       f'fill="{colour}"/>')

legend_y = height - 12
for column, (name, (colour, dash)) in enumerate(styles.items()):
    lx = margin + column * 160
    out.append(f'<line x1="{lx}" y1="{legend_y - 4}" x2="{lx + 30}" '
               f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2" '
               f'{dash}/>')
    out.append(f'<text x="{lx + 36}" y="{legend_y}">{name}</text>')
out.append('</svg>')
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
