"""The pandas baseline of `npm run bench -- analysis`: the same core statistics as the analysis report, computed
the way a pandas user would (read_csv with `usecols`, only the columns needed), so the comparison is fair.

usage: /usr/bin/python3 pandas_report.py FILE OUT.json
"""
import json
import sys
import time

import pandas as pd

COLUMNS = ['Summons Number', 'Plate ID', 'Registration State', 'Plate Type', 'Issue Date', 'Violation Code',
           'Vehicle Body Type', 'Vehicle Make', 'Violation Precinct', 'Violation Time', 'Violation County',
           'Street Name', 'Vehicle Color', 'Vehicle Year']
BOROUGHS = {'NY': 'Manhattan', 'MN': 'Manhattan', 'K': 'Brooklyn', 'BK': 'Brooklyn', 'Q': 'Queens',
            'QN': 'Queens', 'BX': 'Bronx', 'R': 'Staten Island', 'ST': 'Staten Island'}


def main(path, out):
    started = time.time()
    df = pd.read_csv(path, usecols=lambda c: c.strip() in COLUMNS, dtype=str, keep_default_na=False,
                     on_bad_lines='skip', encoding='utf-8-sig')
    df.columns = [c.strip() for c in df.columns]
    read = time.time() - started
    for c in ['Summons Number', 'Issue Date', 'Violation Code']:
        df[c] = df[c].str.strip()
    date = pd.to_datetime(df['Issue Date'], format='%m/%d/%Y', errors='coerce')
    ok = (df['Summons Number'].str.fullmatch(r'\d{1,20}') & date.notna()
          & df['Violation Code'].str.fullmatch(r'\d+'))
    df, date = df[ok], date[ok]
    keep = ~df['Summons Number'].duplicated()
    df, date = df[keep], date[keep]
    t = df['Violation Time'].str.strip().str.upper()
    hh = pd.to_numeric(t.str[:2], errors='coerce')
    hour = hh.where(t.str[4:] == '', hh % 12 + (t.str[4:] == 'P') * 12)
    stats = {
        'code': df['Violation Code'].astype(int).value_counts(),
        'hour': hour.value_counts(dropna=False),
        'weekday': date.dt.dayofweek.value_counts(),
        'month': date.dt.month.value_counts(),
        'borough': df['Violation County'].str.strip().str.upper().map(BOROUGHS).value_counts(dropna=False),
        'precinct': df['Violation Precinct'].value_counts(),
        'street': df['Street Name'].str.strip().str.upper().value_counts().head(50),
        'state': df['Registration State'].value_counts(),
        'plate_type': df['Plate Type'].value_counts(),
        'make': df['Vehicle Make'].value_counts(),
        'body': df['Vehicle Body Type'].value_counts(),
        'color': df['Vehicle Color'].value_counts(),
        'year': df['Vehicle Year'].value_counts(),
        'plates': df.groupby(['Plate ID', 'Registration State']).size().nlargest(50),
    }
    json.dump({
        'rows': int(len(df)),
        'readSeconds': round(read, 2),
        'seconds': round(time.time() - started, 2),
        'byCode': {str(k): int(v) for k, v in stats['code'].items()},
    }, open(out, 'w'))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
